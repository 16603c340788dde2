"""A small archive for the reading room's tests, built through the archive's own ingest path
(WARC records, fetch rows, versions, sightings, attachments), plus hostile rows.

What it holds:
- 思明区 2023 (a TRS page): version 1, then a corrected version 2 at the same URL (one figure
  changed, one paragraph added), and a repost of version 2 on an aggregator;
- 合肥市生态环境局 2023: an attachment-only page and its PDF;
- 株洲市 2022: a page with a 索引号 table;
- a hostile report written straight into the tables, as a crawler bug or a tampered database
  could leave it: script tags, event handlers and broken markup in its title, text, metadata
  and attachment name, ``javascript:`` and ``data:`` URLs, a 10,000-character title, and a
  capture whose scripts would announce themselves if they ran.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from archive.ingest import Processed, Response, process, process_attachment
from archive.search import index as search_index
from archive.storage import db
from archive.storage.models import Attachment, Fetch, Report, ReportVersion, Sighting
from archive.storage.source_info import SourceInfo
from archive.storage.warc import WarcWriter
from tests.faults.portal import HTML_TITLE, LONG_TITLE, SQL_TITLE
from tests.pages import PAGES
from tests.store_samples import AGGREGATOR, SIMING

SIMING_PAGE = PAGES / "trs_wcm/xiamen_siming_gov_2023.html"
SIMING_URL = "https://www.siming.gov.cn/xxgk/zfxxgkzl/zfxxgkml/fzzfjs/202403/t20240313_937812.htm"
REPOST_URL = "https://www.zwzxw.com.hk/difang/xiamen/2024-04-10/51234.html"
HEFEI_PAGE = PAGES / "ah_public/hefei_sthjj_2023_attachment_only.html"
HEFEI_URL = "https://sthjj.hefei.gov.cn/public/6595211/109476541.html"
HEFEI_PDF = (
    PAGES / "ah_public/hefei_sthjj_2023_attachment_only.files/CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
)
HEFEI_PDF_URL = "https://sthjj.hefei.gov.cn/group3/M00/0B/5C/CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
HEFEI_PDF_NAME = "合肥市生态环境局2023年度法治政府建设工作报告.pdf"
ZHUZHOU_PAGE = PAGES / "trs_wcm/zhuzhou_gov_2022_gbk.html"
ZHUZHOU_URL = "http://www.zhuzhou.gov.cn/xxgk/szf/fzzfjs/202303/t20230330_11983476.html"
HEFEI = SourceInfo(
    slug="ah-hf-sthjj",
    name="合肥市生态环境局",
    home_url="https://sthjj.hefei.gov.cn/",
    domains=("sthjj.hefei.gov.cn",),
    agency="合肥市生态环境局",
    level="部门",
    province="安徽省",
    city="合肥市",
    division_code="340100",
)
CORRECTION = "（2024年4月2日更正：第三部分行政复议案件数由141件更正为145件。）"
CORRECTION_STORED = unicodedata.normalize("NFKC", CORRECTION)  # as the archive keeps text

#: Markup that must stay text: if any of it ran, ``window.pwned`` would be set, a dialog would
#: open or the page would change its title.
SCRIPT = "<script>window.pwned=1;alert('x');document.title='pwned'</script>"
HANDLER = "<img src=x onerror=\"window.pwned=1;alert('y')\">"
BROKEN = "<div><table><tr><td>未闭合<b><i></table></div></td><!--"
HOSTILE_TITLE = f"{SCRIPT}{HANDLER}某县人民政府2023年法治政府建设情况报告"
HOSTILE_TEXT = "\n".join(
    [f"第一段 {SCRIPT}", f"第二段 {HANDLER}", f"第三段 {BROKEN}", HTML_TITLE, SQL_TITLE]
)
JAVASCRIPT_URL = "javascript:window.pwned=1;alert('z')"
DATA_URL = "data:text/html,<script>window.pwned=1</script>"
HOSTILE_CAPTURE = (
    "<!doctype html><html><head><title>captured</title>"
    "<script>window.pwned=1;parent.pwned=1;alert('capture')</script></head>"
    f'<body onload="window.pwned=1"><h1>{HOSTILE_TITLE}</h1>'
    "<form action='https://evil.example/'><input name=q></form>"
    "<img src='https://evil.example/beacon.png'></body></html>"
).encode()


@dataclass(frozen=True)
class Built:
    url: str
    data_dir: Path
    siming: int  # report ids
    hefei: int
    zhuzhou: int
    hostile: int
    long_title: int


def build(url: str, data_dir: Path) -> Built:
    """The archive described in the module doc, at URL (migrated here) with WARCs in DATA_DIR."""
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with (
            Session(engine) as session,
            WarcWriter(data_dir / "warc", "tests", sync_each=False) as warc,
        ):
            siming = _siming(session, warc)
            hefei = _hefei(session, warc)
            zhuzhou = _page(session, warc, ZHUZHOU_PAGE, ZHUZHOU_URL, "text/html", _day(1)).result
            hostile = _hostile(session, warc, HOSTILE_TITLE, HOSTILE_TEXT)
            long_title = _hostile(session, warc, LONG_TITLE, "正文。" * 50)
            session.commit()
    finally:
        engine.dispose()
    assert zhuzhou is not None
    return Built(url, data_dir, siming, hefei, zhuzhou.report_id, hostile, long_title)


def _day(n: int) -> dt.datetime:
    return dt.datetime(2024, 4, 1, 8, tzinfo=dt.UTC) + dt.timedelta(days=n)


def _page(
    session: Session,
    warc: WarcWriter,
    path: Path,
    url: str,
    content_type: str,
    at: dt.datetime,
    body: bytes | None = None,
    source: SourceInfo | None = None,
) -> Processed:
    response = Response(url, 200, {"Content-Type": content_type}, body or path.read_bytes(), at)
    return process(session, response, warc=warc, source=source)


def _siming(session: Session, warc: WarcWriter) -> int:
    original = SIMING_PAGE.read_bytes()
    first = _page(session, warc, SIMING_PAGE, SIMING_URL, "text/html; charset=UTF-8", _day(0),
                  source=SIMING)  # fmt: skip
    corrected = original.replace("141件".encode(), "145件".encode(), 1).replace(
        b"</p>", f"</p><p>{CORRECTION}</p>".encode(), 1
    )
    assert corrected != original
    for url, at, source in ((SIMING_URL, _day(5), SIMING), (REPOST_URL, _day(9), AGGREGATOR)):
        _page(session, warc, SIMING_PAGE, url, "text/html; charset=UTF-8", at, corrected, source)
    assert first.result is not None
    return first.result.report_id


def _hefei(session: Session, warc: WarcWriter) -> int:
    page = _page(session, warc, HEFEI_PAGE, HEFEI_URL, "text/html;charset=UTF-8", _day(2),
                 source=HEFEI)  # fmt: skip
    assert page.deferred
    done = process_attachment(
        session,
        Response(
            HEFEI_PDF_URL, 200, {"Content-Type": "application/pdf"}, HEFEI_PDF.read_bytes(), _day(2)
        ),
        page_url=HEFEI_URL,
        page=page.extracted,
        name=HEFEI_PDF_NAME,
        warc=warc,
        source=HEFEI,
    )
    assert done.result is not None
    return done.result.report_id


def _hostile(session: Session, warc: WarcWriter, title: str, text: str) -> int:
    """A report whose every field is hostile, with a capture whose scripts would run."""
    at = _day(3)
    url = f"https://hostile.example/{hashlib.sha256(title.encode()).hexdigest()[:8]}.html"
    capture = warc.write_response(url, 200, {"Content-Type": "text/html"}, HOSTILE_CAPTURE, at)
    fetch = Fetch(url=url, status=200, content_type="text/html", size=len(HOSTILE_CAPTURE),
                  body_sha256=capture.digest, fetched_at=at, warc_file=capture.file,
                  warc_offset=capture.offset)  # fmt: skip
    report = Report(
        identity_key=f"hostile|{title[:200]}",
        agency=f"{SCRIPT}某县人民政府",
        report_year=2023,
        province="<b>省<img src=x onerror=alert(1)>",  # the column holds 50
        city="<i>市",
        division_code="999999",
        created_at=at,
    )
    session.add_all([fetch, report])
    session.flush()
    version = ReportVersion(
        report_id=report.id,
        version=1,
        content_sha256=hashlib.sha256(text.encode() + title.encode()).hexdigest(),
        title=title,
        title_original=title,
        text=text,
        text_original=text,
        metadata_={"索引号": SCRIPT, HANDLER: BROKEN, "发布机构": ["<b>", {"x": SCRIPT}]},
        first_seen=at,
        last_seen=at,
    )
    session.add(version)
    session.flush()
    search_index.add_version(session, version.id)  # as ingest would: it is searchable too
    session.add_all(
        [
            Sighting(version_id=version.id, fetch_id=fetch.id, url=url, site="hostile.example",
                     first_seen=at, last_seen=at),
            Sighting(version_id=version.id, url=JAVASCRIPT_URL, site=HANDLER, is_repost=True,
                     first_seen=at, last_seen=at),
            Sighting(version_id=version.id, url=DATA_URL, site="data", is_repost=True,
                     first_seen=at, last_seen=at),
            Attachment(version_id=version.id, fetch_id=fetch.id, url=JAVASCRIPT_URL,
                       file_name=f"{SCRIPT}.pdf", media_type="text/html", size=10),
        ]
    )  # fmt: skip
    session.flush()
    return report.id
