/* jpage: a JCMS list unit. The column page carries its first records as CDATA in an XML
   datastore; this shows one screen of them at a time behind javascript: pager links, and
   asks dataproxy.jsp for the records past the inline ones. */
function jpage(unitId, options) {
  var unit = document.getElementById(unitId);
  var source = unit.querySelector('script[type="text/xml"]');
  var store = new DOMParser().parseFromString(source.textContent, "text/xml");
  var records = Array.prototype.map.call(store.getElementsByTagName("record"), function (r) {
    return r.textContent;
  });
  var pages = Math.max(1, Math.ceil(options.totalRecord / options.perPage));
  var list = document.createElement("ul");
  list.className = "list";
  var pager = document.createElement("div");
  pager.className = "default_pgContainer";
  unit.appendChild(list);
  unit.appendChild(pager);
  function load(page, then) {
    var end = page * options.perPage;
    if (records.length >= Math.min(end, options.totalRecord)) { then(); return; }
    var start = records.length + 1;
    var query = "startrecord=" + start + "&endrecord=" + (start + options.perPage * options.groupSize - 1)
      + "&perpage=" + options.perPage;
    for (var key in options.ajaxParam) { query += "&" + key + "=" + encodeURIComponent(options.ajaxParam[key]); }
    var xhr = new XMLHttpRequest();
    xhr.open("GET", options.proxyUrl + "?" + query);
    xhr.onload = function () {
      var more = xhr.responseXML.getElementsByTagName("record");
      for (var i = 0; i < more.length; i++) { records.push(more[i].textContent); }
      then();
    };
    xhr.send();
  }
  function link(label, page) {
    if (page < 1 || page > pages) { return "<span>" + label + "</span>"; }
    return '<a href="javascript:;" data-page="' + page + '">' + label + "</a>";
  }
  function show(page) {
    load(page, function () {
      list.innerHTML = records.slice((page - 1) * options.perPage, page * options.perPage).join("");
      pager.innerHTML = "共" + options.totalRecord + "条 " + page + "/" + pages + "页 "
        + link("首页", 1) + link("上一页", page - 1) + link("下一页", page + 1) + link("尾页", pages);
    });
  }
  pager.addEventListener("click", function (event) {
    var page = event.target.getAttribute("data-page");
    if (page) { show(parseInt(page, 10)); }
  });
  show(1);
}
