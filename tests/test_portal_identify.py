"""Portal discovery's judgement of one page, without a crawl: what a page says about itself,
whose site it is, and the registry entry it becomes, read through the shipped division
history (archive/coverage/history.py: 新建县 → 新建区 in 2015, 上饶县 → 广信区 in 2019)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.coverage.history import DivisionHistory, shipped
from crawler.portals.evidence import read_page
from crawler.portals.identify import identify
from crawler.portals.names import Body, read_name
from crawler.portals.proposals import Found, entries, write_yaml
from crawler.registry import Source, read
from crawler.registry.discovered import merged
from crawler.registry.sources import DISCOVERED, Registry

YEAR = 2026


@pytest.fixture(scope="module")
def lookup() -> DivisionHistory:
    return shipped()


def site(title: str, host_body: str = "", code: str = "", head: str = "", body: str = "") -> str:
    footer = f"<p>主办单位：{host_body}</p>" if host_body else ""
    footer += f"<p>网站标识码：{code}</p>" if code else ""
    return (
        f"<html><head><title>{title}</title>{head}</head>"
        f"<body>{body}<div class='footer'>{footer}<p>赣ICP备05004135号</p></div></body></html>"
    )


def test_a_page_names_itself_in_its_title_meta_and_footer() -> None:
    page = read_page(
        site(
            "首页 - 南昌市人民政府",
            "南昌市人民政府办公室",
            head='<meta name="SiteName" content="南昌市人民政府">',
            code="3601000001",
        ),
        "http://www.nc.gov.cn/",
    )
    assert page.site_name == "南昌市人民政府"
    assert page.site_code == "3601000001"
    assert page.host_body == "南昌市人民政府办公室"  # the next <p> does not run into it
    assert list(page.own_names()) == [
        ("site_name", "南昌市人民政府"),
        ("title", "首页"),
        ("title", "南昌市人民政府"),
        ("host_body", "南昌市人民政府办公室"),
    ]


def test_links_come_from_anchors_image_alts_areas_and_jump_menus() -> None:
    body = (
        '<a href="http://www.ncx.gov.cn/">南昌县</a>'
        '<a href="//www.jdz.gov.cn/"><img src="b.png" alt="景德镇市人民政府"></a>'
        '<map><area href="http://www.sr.gov.cn/" alt="上饶市"></map>'
        '<select onchange="window.open(this.value)"><option value="">区县政府网站</option>'
        '<option value="http://www.fuliang.gov.cn/">浮梁县</option></select>'
        '<a href="javascript:void(0)">打印</a><a href="/wzdh/">政府网站导航</a>'
    )
    page = read_page(site("江西省人民政府", body=body), "https://www.jiangxi.gov.cn/")
    assert [(link.url, link.anchor, link.via) for link in page.links] == [
        ("http://www.ncx.gov.cn/", "南昌县", "a"),
        ("https://www.jdz.gov.cn/", "景德镇市人民政府", "img-alt"),
        ("http://www.sr.gov.cn/", "上饶市", "area"),
        ("http://www.fuliang.gov.cn/", "浮梁县", "option"),
        ("https://www.jiangxi.gov.cn/wzdh/", "政府网站导航", "a"),
    ]


def test_a_meta_refresh_and_a_script_built_list_are_noticed() -> None:
    head = '<meta http-equiv="refresh" content="0; url=http://www.srgx.gov.cn/">'
    script = "<script>fetch('/api/sites.json').then(r => r.json())</script>"
    body = "<h3>县（市、区）政府网站</h3><ul id='list'></ul>" + script
    page = read_page(site("上饶县人民政府", head=head, body=body), "http://www.srx.gov.cn/")
    assert page.refresh == "http://www.srgx.gov.cn/"
    assert page.scripted and page.lists_sites


@pytest.mark.parametrize(
    ("text", "code", "body"),
    [
        ("南昌市新建区人民政府门户网站", "360112", Body.GOVERNMENT),
        ("南昌县政府", "360121", Body.GOVERNMENT),  # an abbreviation
        ("西湖区人民政府", "360103", Body.GOVERNMENT),  # 南昌's, inside the scope 360000
        ("江西省司法厅", "360000", Body.DEPARTMENT),
        ("江西政务服务网", "360000", Body.PLATFORM),
        ("南昌市人民代表大会常务委员会", "360100", Body.NOT_EXECUTIVE),
        ("南昌大学", "360100", Body.OTHER),
    ],
)
def test_a_name_reads_as_divisions_then_a_body(
    lookup: DivisionHistory, text: str, code: str, body: Body
) -> None:
    name = read_name(text, lookup, YEAR, "360000")
    assert name.division is not None and name.division.code == code
    assert name.body is body


def test_a_former_name_is_read_in_its_year_and_followed_to_its_successor(
    lookup: DivisionHistory,
) -> None:
    now = read_name("新建县人民政府", lookup, YEAR, "360000")
    assert now.named and now.named.code == "360122"
    assert now.division and now.division.code == "360112"
    then = read_name("新建县人民政府", lookup, 2014, "360000")
    assert then.division and then.division.code == "360122"
    # without history the old county name is not a division at all
    today = DivisionHistory(d for d in lookup.divisions if d.valid_to is None)
    assert read_name("新建县人民政府", today, YEAR, "360000").named is None


JX = "360000"


@pytest.mark.parametrize(
    ("title", "host_body", "code", "verdict", "division", "level"),
    [
        ("江西省人民政府门户网站", "江西省人民政府办公厅", "3600000001", "government", JX, "省"),
        ("南昌市人民政府", "南昌市人民政府办公室", "3601000001", "government", "360100", "市"),
        ("乐平市人民政府", "乐平市人民政府办公室", "", "government", "360281", "县"),  # no code
        ("首页 - 南昌市司法局", "南昌市司法局", "3601000017", "department", "360100", "部门"),
        ("江西省发展和改革委员会门户网站", "江西省发展和改革委员会", "", "department", JX, "部门"),
        ("中国政府网_中央人民政府门户网站", "国务院办公厅", "bm01000001", "central", None, None),
        ("湖南省人民政府门户网站", "湖南省人民政府办公厅", "4300000001", "outside", "430000", None),
        ("江西政务服务网", "江西省人民政府办公厅", "3600000099", "platform", None, None),
        ("江西省12345政务服务便民热线", "江西省政务服务管理办公室", "", "platform", None, None),
        ("南昌人大网", "南昌市人民代表大会常务委员会办公厅", "", "not_executive", None, None),
        ("江西日报", "江西日报社", "", "not_government", None, None),
        ("江西铜业集团有限公司", "", "", "not_government", None, None),
        ("南昌大学", "南昌大学", "", "not_government", None, None),
        ("大江网", "", "", "not_government", None, None),
        ("南昌市人民政府", "南昌市人民政府办公室", "3602000001", "conflict", None, None),
    ],
)
def test_a_site_is_identified_by_its_own_evidence(
    lookup: DivisionHistory,
    title: str,
    host_body: str,
    code: str,
    verdict: str,
    division: str | None,
    level: str | None,
) -> None:
    page = read_page(site(title, host_body, code), "http://x.gov.cn/")
    identity = identify(page, lookup, YEAR, lookup.by_code(JX))
    assert identity.verdict == verdict, identity.reason
    assert (identity.division.code if identity.division else None) == division
    assert identity.level == level


def test_a_stale_site_under_an_old_code_belongs_to_the_successor(lookup: DivisionHistory) -> None:
    """上饶县's portal left as it was before 2019: its code and name are 361121's; today the
    division is 广信区, in 2018 it was 上饶县 itself."""
    page = read_page(site("上饶县人民政府", "上饶县人民政府办公室", "3611210001"), "http://x/")
    today = identify(page, lookup, YEAR, lookup.by_code(JX))
    assert (today.verdict, today.division and today.division.code) == ("government", "361104")
    assert today.evidence["site_code"] == "3611210001 → 361104"
    in_2018 = identify(page, lookup, 2018, lookup.by_code(JX))
    assert in_2018.division and in_2018.division.code == "361121"


def test_the_parents_anchor_is_evidence_read_through_the_history(lookup: DivisionHistory) -> None:
    page = read_page(site("南昌市新建区人民政府", "南昌市新建区人民政府办公室"), "http://x/")
    identity = identify(page, lookup, YEAR, lookup.by_code(JX), anchor="新建县")
    assert identity.division and identity.division.code == "360112"
    assert identity.evidence["anchor"] == "新建县 (新建县 360122 → 360112)"


def found(lookup: DivisionHistory, html: str, url: str, parent: str | None) -> Found:
    identity = identify(read_page(html, url), lookup, YEAR, lookup.by_code(JX))
    return Found(identity, url, parent, name=read_page(html, url).title)


def test_proposals_are_registry_entries_that_load(lookup: DivisionHistory, tmp_path: Path) -> None:
    root = "http://127.0.0.1:8000/"
    pages = [
        (("江西省人民政府门户网站", "江西省人民政府办公厅", "3600000001"), root, None),
        (
            ("浮梁县人民政府", "浮梁县人民政府办公室", "3602220001"),
            "http://www.fuliang.gov.cn/",
            root,
        ),
        (("南昌市司法局", "南昌市司法局", "3601000017"), "http://sfj.nc.gov.cn/", root),
        (("江西日报", "江西日报社"), "http://www.jxnews.com.cn/", root),
    ]
    sites = [found(lookup, site(*texts), url, parent) for texts, url, parent in pages]
    records = entries(sites, taken={"jx"})  # a curated 江西省人民政府 holds jx
    assert [(r["slug"], r["agency"], r["level"], r["division_code"]) for r in records] == [
        ("jx-2", "江西省人民政府", "省", "360000"),
        ("jx-jdz-fuliang", "景德镇市浮梁县人民政府", "县", "360222"),
        ("jx-nc-sfj", "南昌市司法局", "部门", "360100"),
    ]
    assert records[0]["domains"] == ["127.0.0.1:8000"]  # a site on its own port owns only it
    assert records[1]["discovered_from"] == root and "domains" not in records[1]
    path = tmp_path / "found.yaml"
    text = write_yaml(str(path), records, sites, root)
    assert "# not proposed: http://www.jxnews.com.cn/ — not_government" in text
    registry, problems = read(path)
    assert problems == ()
    assert registry["jx-nc-sfj"].evidence == (
        ("title", "南昌市司法局"),
        ("host_body", "南昌市司法局"),
        ("site_code", "3601000017 → 360100"),
    )


def test_a_curated_entry_wins_over_a_discovered_one_for_its_site() -> None:
    curated = Source("jx-nc", "南昌市人民政府门户网站", "https://www.nc.gov.cn/", ("nc.gov.cn",))
    same_site = Source("jx-nc-2", "南昌", "http://www.nc.gov.cn/index.html", ("www.nc.gov.cn",))
    same_slug = Source("jx-nc", "南昌", "http://nc.example.cn/", ("nc.example.cn",))
    other = Source("jx-sr", "上饶", "http://www.zgsr.gov.cn/", ("www.zgsr.gov.cn",))
    found_sources = [
        Source(**{**s.__dict__, "origin": DISCOVERED}) for s in (same_site, same_slug, other)
    ]
    registry, shadowed = merged(Registry({"jx-nc": curated}), found_sources)
    assert [(s.slug, s.origin) for s in registry] == [("jx-nc", "curated"), ("jx-sr", DISCOVERED)]
    assert [s.home_url for s in shadowed] == [same_site.home_url, same_slug.home_url]
