"""The held-out portals (tests/replica/data/heldout/) serve what their manifest says, in the
shapes their CMS families give it — checked over plain HTTP, without the product."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import lxml.etree
import lxml.html
import pytest

from tests.replica.probe import fetch, report
from tests.replica.server import Replica, start_replica


@pytest.fixture(scope="module")
def heldout() -> Iterator[Replica]:
    with start_replica(group="heldout") as replica:
        yield replica


@pytest.fixture(scope="module")
def manifest(heldout: Replica) -> dict[str, Any]:
    return heldout.manifest()


def test_a_group_of_its_own(heldout: Replica, manifest: dict[str, Any]) -> None:
    with start_replica() as replica:
        keys = {r["key"] for r in replica.manifest()["reports"]}
    assert keys.isdisjoint(r["key"] for r in manifest["reports"])
    assert len(manifest["reports"]) == 13
    assert len({slug for slug in heldout.sites}) == 8


def test_every_version_has_two_different_dates(manifest: dict[str, Any]) -> None:
    for item in manifest["reports"]:
        for label in {text for copy in item["copies"] for text in copy["text"].values()}:
            dates = item["dates"][label]
            assert dates["document_date"] and dates["published_date"], item["key"]
            assert dates["document_date"] < dates["published_date"], item["key"]


def test_report_pages_answer(manifest: dict[str, Any]) -> None:
    for item in manifest["reports"]:
        for copy in item["copies"]:
            if 1 in copy["text"]:
                assert fetch(copy["url"]), copy["url"]


def test_vue_article_is_a_shell_filled_from_json(
    heldout: Replica, manifest: dict[str, Any]
) -> None:
    [copy] = report(manifest, "wuhua-2023")["copies"]
    shell = unicodedata.normalize("NFKC", fetch(copy["url"]).decode())
    text = manifest["texts"][copy["text"][1]]
    assert text.splitlines()[0] not in shell
    assert "{{ detail.title }}" in shell
    ident = re.search(r"(\d+)\.html$", copy["url"]).group(1)  # type: ignore[union-attr]
    data = json.loads(fetch(f"{heldout.sites['vue-wuhua']}/prod-api/portal/article/{ident}"))
    assert text.splitlines()[0] in unicodedata.normalize("NFKC", data["data"]["content"])


def test_jcms_list_is_a_datastore_and_a_proxy(heldout: Replica, manifest: dict[str, Any]) -> None:
    base = heldout.sites["jcms-suyu"]
    [listing] = [item for item in manifest["listings"] if item["site"] == "jcms-suyu"]
    page = lxml.html.fromstring(fetch(listing["pages"][1][0]))
    assert not page.xpath('//div[@id="18762"]//a')  # no element links: CDATA only
    [store] = page.xpath('//script[@type="text/xml"]')
    assert len(lxml.etree.fromstring(store.text.encode()).findall(".//record")) == 45
    proxy = fetch(
        f"{base}/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&columnid=3201"
    )
    records = lxml.etree.fromstring(proxy).findall(".//record")
    assert len(records) == listing["items"][1] - 45
    [oldest] = report(manifest, "suyu-2021")["copies"]
    assert oldest["url"].removeprefix(base) in records[-1].text


def test_zhanqun_sites_share_one_host(heldout: Replica) -> None:
    entries = {e["slug"]: e for e in heldout.registry_entries() if e["slug"].startswith("zq-")}
    assert len({tuple(e["domains"]) for e in entries.values()}) == 1
    assert sorted(e["home_url"].rsplit("/", 2)[-2] for e in entries.values()) == [
        "127.0.0.1:" + entries["zq-changzhi"]["domains"][0].split(":")[1],
        "fgw",
        "sfj",
    ]
