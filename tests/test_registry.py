"""The source registry: the shipped YAML, every validation error with its file and line, the
`fazhi sources` commands."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from archive.extract.region import Region, region_of
from crawler.registry import (
    DEFAULT_DIRECTORY,
    Level,
    Politeness,
    RegistryError,
    Render,
    Source,
    YearSpan,
    load,
    read,
    source_from_url,
)
from fazhi.sources_commands import sources_app
from tests.pages import load_pages

SHIPPED = load()

# One valid entry; the error tests break one line of it. Line 1 is "- slug: …".
ENTRY = """\
- slug: fj-xm-siming
  name: 厦门市思明区人民政府门户网站
  agency: 厦门市思明区人民政府
  level: 县
  region: {province: 福建省, city: 厦门市, county: 思明区}
  division_code: "350203"
  home_url: https://www.siming.gov.cn/
  expected_years: "2015-"
"""


def write(directory: Path, text: str, name: str = "fujian.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> str:
    with pytest.raises(RegistryError) as caught:
        load(path)
    return str(caught.value)


def replaced(old: str, new: str) -> str:
    assert old in ENTRY
    return ENTRY.replace(old, new)


# --- the shipped registry ----------------------------------------------------------------


def test_shipped_registry_loads_cleanly() -> None:
    registry, problems = read()
    assert problems == ()
    assert len(registry) >= 66
    assert {s.region.province for s in registry if s.region} >= {"福建省", "广东省", "江西省"}
    assert {s.level for s in registry} == set(Level)


def test_iteration_is_in_file_order() -> None:
    files = sorted(DEFAULT_DIRECTORY.glob("*.yaml"))
    positions = [(files.index(s.file), s.line) for s in SHIPPED if s.file and s.line]
    assert positions == sorted(positions)
    assert len(positions) == len(SHIPPED)


@pytest.mark.parametrize(
    ("slug", "agency", "code", "host"),
    [
        ("fj-xm-siming", "厦门市思明区人民政府", "350203", "www.siming.gov.cn"),
        ("js-sq-hubin", "宿迁市湖滨新区管理委员会", "321300", None),
        ("fj-xm-sfj", "厦门市司法局", "350200", "sfj.xm.gov.cn"),
        ("gd-gz-haizhu", "广州市海珠区人民政府", "440105", "www.haizhu.gov.cn"),
        ("jx-nc-xihu", "南昌市西湖区人民政府", "360103", "www.ncxh.gov.cn"),
        ("jx-nc-xihu-sfj", "南昌市西湖区司法局", "360103", "www.ncxh.gov.cn"),
    ],
)
def test_the_seed_bodies_are_registered(
    slug: str, agency: str, code: str, host: str | None
) -> None:
    source = SHIPPED[slug]
    assert (source.agency, source.division_code) == (agency, code)
    assert host is None or source.domains == (host,)


@pytest.mark.parametrize(
    ("page_id", "slugs"),
    [
        ("trs_wcm/xiamen_siming_gov_2023", {"fj-xm-siming"}),
        ("trs_wcm/xiamen_sfj_2021", {"fj-xm-sfj"}),
        ("jpaas/nanchang_xihu_sfj_2023", {"jx-nc-xihu", "jx-nc-xihu-sfj"}),
    ],
)
def test_seed_pages_are_in_scope_and_their_region_settles(page_id: str, slugs: set[str]) -> None:
    """The source a page is crawled from gives the hint that places its agency (西湖区司法局
    alone fits 杭州 and 南昌)."""
    page = next(p for p in load_pages() if p.id == page_id)
    covering = [s for s in SHIPPED if s.allows(page.url)]
    assert {s.slug for s in covering} == slugs
    for source in covering:
        assert region_of(page.expected["agency"], source.division_code) == source.region


@pytest.mark.parametrize("source", list(SHIPPED), ids=lambda s: s.slug)
def test_division_code_agrees_with_gbt2260(source: Source) -> None:
    """Agencies are written in full, so GB/T 2260 places each by its name alone."""
    found = region_of(source.agency)
    assert found is not None
    assert (found.code, found) == (source.division_code, source.region)


def test_unverified_urls_are_marked_in_notes() -> None:
    unverified = [s.slug for s in SHIPPED if s.unverified]
    assert "js-sq-hubin" in unverified
    assert "fj-xm-siming" in unverified  # its entry URL comes from the fixture, not a visit
    assert "bj" not in unverified


# --- what an entry means -----------------------------------------------------------------


def test_defaults_and_a_parsed_entry(tmp_path: Path) -> None:
    source = load(write(tmp_path, ENTRY))["fj-xm-siming"]
    assert source.domains == ("www.siming.gov.cn",)
    assert source.render is Render.AUTO
    assert source.region == Region("福建省", "厦门市", "思明区", "350203")
    assert source.expected_years == (YearSpan(2015, None),)
    assert source.expects(2023) and not source.expects(2014)
    assert source.start_urls == ("https://www.siming.gov.cn/",)
    assert (source.file, source.line) == (tmp_path / "fujian.yaml", 1)


def test_division_code_is_filled_from_the_region_and_may_be_unquoted(tmp_path: Path) -> None:
    omitted = load(write(tmp_path, replaced('  division_code: "350203"\n', "")))
    unquoted = load(write(tmp_path, replaced('"350203"', "350203"), "b.yaml"))
    assert omitted["fj-xm-siming"].division_code == "350203"
    assert unquoted["fj-xm-siming"].division_code == "350203"


def test_optional_keys(tmp_path: Path) -> None:
    extra = """\
        domains: [www.siming.gov.cn, siming.gov.cn]
        entry_urls: [https://xxgk.siming.gov.cn/fzzfjs/]
        search_url: https://www.siming.gov.cn/search?q={query}&page=1
        sitemaps: [https://www.siming.gov.cn/sitemap/sitemap_index.xml.gz]
        render: browser
        politeness: {download_delay: 5, reason: the portal answers 503 under load}
        notes: a note
        """
    text = replaced('"2015-"', "[2016, 2018-2020]") + textwrap.indent(textwrap.dedent(extra), "  ")
    source = load(write(tmp_path, text))["fj-xm-siming"]
    assert source.allows("https://xxgk.siming.gov.cn/a.html")  # subdomain, as Scrapy allows
    assert not source.allows("https://evilsiming.gov.cn/")
    assert source.render is Render.BROWSER
    assert source.sitemaps == ("https://www.siming.gov.cn/sitemap/sitemap_index.xml.gz",)
    assert source.politeness == Politeness("the portal answers 503 under load", 5.0)
    assert source.search_url_for("法治 报告") == (
        "https://www.siming.gov.cn/search?q=%E6%B3%95%E6%B2%BB%20%E6%8A%A5%E5%91%8A&page=1"
    )
    assert [source.expects(y) for y in (2016, 2017, 2019, 2021)] == [True, False, True, False]
    assert not source.unverified


def test_yaml_merge_keys_are_no_duplicates(tmp_path: Path) -> None:
    text = ENTRY.replace("- slug:", "- &siming\n  slug:") + textwrap.dedent("""\
        - <<: *siming
          slug: fj-xm-siming-sfj
          agency: 厦门市思明区司法局
          level: 部门
        """)
    registry = load(write(tmp_path, text))
    assert registry["fj-xm-siming-sfj"].home_url == "https://www.siming.gov.cn/"
    assert registry["fj-xm-siming-sfj"].level is Level.DEPARTMENT
    # A problem in an overriding key is put on its own line, not the anchor's.
    path = write(tmp_path, text.replace("level: 部门", "level: 处"))
    assert f"{path}:13: fj-xm-siming-sfj: level:" in problems_of(path)


def test_a_site_reposting_others_reports_names_no_body(tmp_path: Path) -> None:
    text = """\
        - slug: zwzxw-mirror
          name: 政务资讯网
          home_url: https://www.zwzxw.com.hk/
        """
    source = load(write(tmp_path, text))["zwzxw-mirror"]
    assert (source.agency, source.level, source.region, source.expected_years) == (
        None,
        None,
        None,
        (),
    )
    assert not source.expects(2023)
    path = write(tmp_path, text + '  division_code: "350203"\n', "b.yaml")
    assert f"{path}:4: zwzxw-mirror: a division code without a body" in problems_of(path)


def test_a_domain_with_a_port_admits_that_port_only(tmp_path: Path) -> None:
    text = replaced("https://www.siming.gov.cn/", "http://127.0.0.1:8123/")
    source = load(write(tmp_path, text + "  domains: ['127.0.0.1:8123']\n"))["fj-xm-siming"]
    assert source.allows("http://127.0.0.1:8123/xxgk/")
    assert not source.allows("http://127.0.0.1:8124/xxgk/")
    assert not source.allows("http://127.0.0.1:99999/")
    path = write(tmp_path, text + "  domains: ['127.0.0.1:9000']\n", "b.yaml")
    assert f"{path}:7: fj-xm-siming: host 127.0.0.1:8123 is not in domains" in problems_of(path)


def test_select_by_province_and_level() -> None:
    fujian = SHIPPED.select(province="福建")
    assert fujian == SHIPPED.select(province="福建省")
    assert {s.region.province for s in fujian if s.region} == {"福建省"}
    departments = SHIPPED.select(province="福建", level=Level.DEPARTMENT)
    assert "fj-xm-sfj" in {s.slug for s in departments}
    assert all(s.level is Level.DEPARTMENT for s in departments)


def test_source_from_url_scopes_the_host() -> None:
    source = source_from_url("https://www.siming.gov.cn/xxgk/fzzfjs/")
    assert source.slug == "adhoc-www-siming-gov-cn"
    assert source.domains == ("www.siming.gov.cn",)
    assert source.home_url == "https://www.siming.gov.cn/xxgk/fzzfjs/"
    assert source.allows("https://www.siming.gov.cn/a.htm")
    assert not source.allows("https://sfj.xm.gov.cn/")
    assert source.region is None and source.agency is None


@pytest.mark.parametrize("url", ["www.siming.gov.cn", "ftp://x.gov.cn/", "https://a b.cn/"])
def test_source_from_url_refuses_what_is_not_a_url(url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        source_from_url(url)


# --- each validation error, with file and line -------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("  level: 县\n", "  level: 县\n  colour: red\n", 5, "unknown key 'colour'"),
        ("  level: 县", "  level: 区", 4, "level: Input should be"),
        ("https://www.siming.gov.cn/", "www.siming.gov.cn", 7, "not an absolute http(s) URL"),
        ("https://www.siming.gov.cn/", "https://www.siming.gov.cn:99999/", 7, "Port"),
        ('"350203"', '"35020"', 6, "division_code: String should match"),
        ('"350203"', '"359999"', 6, "359999 is not a division GB/T 2260 knows"),
        ('"350203"', '"350200"', 5, "is not 350200"),
        ("county: 思明区}", "county: 湖里区}", 5, "福建省/厦门市/湖里区 is not 350203"),
        (
            '{province: 福建省, city: 厦门市, county: 思明区}\n  division_code: "350203"\n',
            "{province: 火星省}\n",
            5,
            "火星省/-/- is not one division in GB/T 2260",
        ),
        ("厦门市思明区人民政府\n", "厦门市湖里区人民政府\n", 3, "is in 350206"),
        ("slug: fj-xm-siming", "slug: FJ_Siming", 1, "slug: String should match"),
        ('"2015-"', '"2099-"', 8, "years run from 2004 to this year"),
        ('"2015-"', '"2020-2019"', 8, "in order"),
        ('"2015-"', "soon", 8, "is not a year"),
        ('"2015-"', "[]", 8, "expected_years missing: a body's source has all of"),
        ("  level: 县\n", "", 1, "level missing"),
        ('"2015-"', '"2015-2099"', 8, "years run from 2004 to this year"),
        ("  name: 厦门市思明区人民政府门户网站\n", "", 1, "name: required"),
        ("  name: 厦门市思明区人民政府门户网站", "  name: ' '", 2, "name: String should have"),
        ("  level: 县\n", "  level: 县\n  level: 市\n", 5, "duplicate key 'level'"),
        ("  level: 县\n", "  level: [县\n", 5, "YAML:"),
    ],
)
def test_an_invalid_entry_names_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    path = write(tmp_path, replaced(old, new))
    problems = problems_of(path)
    assert f"{path}:{line}: " in problems
    assert message in problems


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("domains: [www.xm.gov.cn]", 7, "host www.siming.gov.cn is not in domains (www.xm.gov.cn)"),
        ("domains: [https://www.siming.gov.cn/]", 9, "not a lowercase host or host:port"),
        ("domains: ['www.siming.gov.cn:0']", 9, "not a lowercase host or host:port"),
        ("entry_urls:\n  - https://www.siming.gov.cn/a/\n  - https://sfj.xm.gov.cn/", 11, "sfj"),
        ("search_url: https://www.siming.gov.cn/s?q={q}", 9, "exactly the placeholder {query}"),
        ("search_url: https://so.xm.gov.cn/s?q={query}", 9, "host so.xm.gov.cn is not in"),
        ("sitemaps:\n  - https://www.xm.gov.cn/sitemap.xml", 10, "host www.xm.gov.cn is not in"),
        ("sitemaps: [/sitemap.xml]", 9, "not an absolute http(s) URL"),
        ("render: headless", 9, "render: Input should be 'auto', 'static' or 'browser'"),
        ("politeness: {download_delay: 5}", 9, "politeness.reason: required"),
        ("politeness: {reason: slow}", 9, "neither download_delay nor concurrency"),
        ("politeness:\n  reason: slow\n  concurrency: 0", 11, "greater than 0"),
    ],
)
def test_an_invalid_optional_key_names_file_and_line(
    tmp_path: Path, extra: str, line: int, message: str
) -> None:
    path = write(tmp_path, ENTRY + textwrap.indent(extra, "  ") + "\n")
    problems = problems_of(path)
    assert f"{path}:{line}: fj-xm-siming: " in problems
    assert message in problems


def test_a_duplicate_slug_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, ENTRY, "a.yaml")
    second = write(tmp_path, "# again\n" + ENTRY, "b.yaml")
    with pytest.raises(RegistryError) as caught:
        load(tmp_path)
    assert f"{second}:2: fj-xm-siming: duplicate slug (first at {first}:1)" in str(caught.value)


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    broken = replaced("  level: 县", "  level: 区")
    path = write(tmp_path, broken + broken.replace("fj-xm-siming", "fj-xm-siming-2"))
    with pytest.raises(RegistryError) as caught:
        load(path)
    assert [(p.line, p.message.split(":")[0]) for p in caught.value.problems] == [
        (4, "fj-xm-siming"),
        (12, "fj-xm-siming-2"),
    ]


def test_checks_that_span_keys_report_together(tmp_path: Path) -> None:
    text = replaced("agency: 厦门市思明区", "agency: 厦门市湖里区") + "  domains: [www.xm.gov.cn]\n"
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert f"{path}:3: fj-xm-siming: 厦门市湖里区人民政府 is in 350206" in problems
    assert f"{path}:7: fj-xm-siming: host www.siming.gov.cn is not in domains" in problems


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("slug: x\n", 1, "expected a list of sources"),
        ("", 1, "expected a list of sources"),
        ("- just a string\n", 1, "Input should be a valid dictionary"),
        ("- &loop [*loop]\n", 1, "Input should be a valid dictionary"),
    ],
)
def test_a_file_of_the_wrong_shape(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert f"{path}:{line}: " in problems and message in problems


def test_a_file_not_in_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "fujian.yaml"
    path.write_bytes(
        ENTRY.encode("utf-8").replace("思明区人民政府\n".encode(), "思明区\n".encode("gbk"), 1)
    )
    assert f"{path}:3: not UTF-8" in problems_of(path)


def test_an_empty_directory_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"no \*\.yaml source files"):
        load(tmp_path)


# --- fazhi sources list / check ----------------------------------------------------------


def run(*args: str) -> Result:
    app = typer.Typer()
    app.add_typer(sources_app, name="sources")
    return CliRunner().invoke(app, ["sources", *args])


def test_list_filters_by_province_and_level(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path}/archive.sqlite3"  # no archive yet: the registry alone
    result = run("list", "--province", "福建", "--level", "县", "--db", empty)
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    siming = ["fj-xm-siming", "厦门市思明区人民政府", "县", "350203", "https://www.siming.gov.cn/"]
    siming.append("curated")
    assert siming in rows
    assert len(rows) == len(SHIPPED.select(province="福建", level=Level.COUNTY))


def test_check_passes_on_the_shipped_registry() -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert f"{len(SHIPPED)} valid sources" in result.stdout
    assert "福建省" in result.stdout and "no problems" in result.stdout


def test_check_lists_problems_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, replaced("  level: 县", "  level: 区"))
    write(tmp_path, ENTRY.replace("fj-xm-siming", "fj-xm-huli"), "good.yaml")
    result = run("check", "--registry", str(tmp_path))
    assert result.exit_code == 1
    assert f"{path}:4: fj-xm-siming: level:" in result.stdout
    assert "1 valid sources" in result.stdout
    assert result.stderr.startswith("error: 1 problem(s)")


def test_list_refuses_a_broken_registry_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, replaced("  level: 县", "  level: 区"))
    result = run("list", "--registry", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"{path}:4:" in result.stderr
