"""Pages a script completes, in the shapes two CMS families give them: Hanweb JCMS's list unit
(jpage) and a Vue portal's article page.

JCMS writes a column's first records into the page as an XML datastore inside a
``<script type="text/xml">`` — CDATA, not elements — and ``jpage.js`` shows them one screen at a
time behind ``javascript:;`` pager links; records past the inline ones come from
``/module/web/jpage/dataproxy.jsp`` (``startrecord``/``endrecord``). A Vue article page is a
shell: title, date and body are mustaches and ``v-html`` until the page's script fetches the
article's JSON. Both scripts are kept as files (data/heldout/*.js) and run in a browser as is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlsplit

from tests.replica.config import Column, Site
from tests.replica.drawing import Drawn
from tests.replica.fixture_tools import HELDOUT
from tests.replica.listing import Entry, entry_href
from tests.replica.resource import Resource

JSON_TYPE = "application/json;charset=UTF-8"
XML_TYPE = "text/xml;charset=UTF-8"
JPAGE_SCRIPT = "/module/web/jpage/jpage.js"
JPAGE_PROXY = "/module/web/jpage/dataproxy.jsp"
JPAGE_GROUP = 3  # screens of records a page carries inline (jpage's groupSize)
VUE_CONTENT = re.compile(r"<!--vue:content-->(.*?)<!--/vue:content-->", re.S)
VUE_API = "/prod-api/portal/article/{id}"
ARTICLE_ID = re.compile(r"(\d+)\.s?html?$")


def jpage_script() -> Resource:
    return Resource(200, "application/javascript", (HELDOUT / "jpage.js").read_bytes())


@dataclass(frozen=True)
class JpageUnit:
    """One column's list unit: its inline datastore and its dataproxy.jsp."""

    column: Column
    entries: list[Entry]  # newest first
    webname: str

    def _records(self, entries: list[Entry]) -> str:
        return "\n".join(
            f'<record><![CDATA[\n<li><a href="{escape(entry_href(e, self.column))}" '
            f'target="_blank" title="{escape(e.title)}">{escape(e.title, quote=False)}</a>'
            f"<span>{e.date.isoformat()}</span></li>\n]]></record>"
            for e in entries
        )

    def inline(self) -> str:
        """The unit as the column page carries it: datastore, then the call of jpage.js."""
        pager = self.column.pager
        assert pager is not None
        shown = self.entries[: pager.per_page * JPAGE_GROUP]
        params = (
            f"col=1&appid=1&webid=1&path=/&columnid={pager.sid}&sourceContentType=1"
            f"&unitid={pager.unit}&webname={self.webname}&permissiontype=0"
        )
        options = {
            "perPage": pager.per_page,
            "groupSize": JPAGE_GROUP,
            "totalRecord": len(self.entries),
            "proxyUrl": JPAGE_PROXY,
            "ajaxParam": dict(pair.split("=", 1) for pair in params.split("&")),
        }
        return (
            f'<div class="list-box"><h2 class="list-title">{escape(self.column.title)}</h2>\n'
            f'<div id="{pager.unit}"><script type="text/xml"><datastore>\n'
            f'<nextgroup><![CDATA[<a href="{JPAGE_PROXY}?page=1&{escape(params)}"></a>]]>'
            f"</nextgroup>\n<recordset>\n{self._records(shown)}\n</recordset>\n"
            f"</datastore></script></div>\n"
            f'<script language="javascript" src="{JPAGE_SCRIPT}"></script>\n'
            f'<script type="text/javascript">\njpage("{pager.unit}", '
            f"{json.dumps(options, ensure_ascii=False)});\n</script>\n</div>"
        )

    def proxy(self, target: str) -> Resource | None:
        """dataproxy.jsp: records startrecord..endrecord (1-based, inclusive) of this column."""
        parts = urlsplit(target)
        pager = self.column.pager
        assert pager is not None
        if parts.path != JPAGE_PROXY:
            return None
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if query.get("columnid") != str(pager.sid):
            return None
        start = int(query.get("startrecord", "1"))
        end = int(query.get("endrecord", str(start + pager.per_page - 1)))
        records = self._records(self.entries[start - 1 : end])
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
            f"<totalrecord>{len(self.entries)}</totalrecord>\n"
            f"<recordset>\n{records}\n</recordset>\n</datastore>\n"
        )
        return Resource(200, XML_TYPE, body.encode("utf-8"))


def vue_article(drawn: Drawn, site: Site, path: str, date: dt.date) -> tuple[bytes, str, bytes]:
    """A drawn article page as a Vue portal serves it: the shell without the body, the JSON
    endpoint's path, and the JSON (title, date, source, body HTML) the shell's script loads."""
    html = drawn.body.decode(site.encoding)
    found = VUE_CONTENT.search(html)
    ident = ARTICLE_ID.search(path)
    if found is None or ident is None:
        raise ValueError(f"{site.slug}: a Vue skin marks its content, an article URL its id")
    shell = html[: found.start()] + html[found.end() :]
    data = {
        "code": 200,
        "msg": "操作成功",
        "data": {
            "id": int(ident.group(1)),
            "title": drawn.title,
            "publishTime": f"{date.isoformat()} 10:00:00",
            "source": site.words.get("source", site.name),
            "views": 100 + int(ident.group(1)) % 900,
            "content": found.group(1).strip(),
        },
    }
    api = VUE_API.format(id=ident.group(1))
    return shell.encode(site.encoding), api, json.dumps(data, ensure_ascii=False).encode("utf-8")
