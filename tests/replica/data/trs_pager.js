function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  function pageUrl(n) { return n == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + n + "." + _sPageExt; }
  if (nCurrIndex == 0) { document.write("首页&nbsp;上一页&nbsp;"); }
  else { document.write("<a href=\"" + pageUrl(0) + "\">首页</a>&nbsp;<a href=\"" + pageUrl(nCurrIndex - 1) + "\">上一页</a>&nbsp;"); }
  if (nCurrIndex == _nPageCount - 1) { document.write("下一页&nbsp;尾页"); }
  else { document.write("<a href=\"" + pageUrl(nCurrIndex + 1) + "\">下一页</a>&nbsp;<a href=\"" + pageUrl(_nPageCount - 1) + "\">尾页</a>"); }
  document.write("&nbsp;共" + _nPageCount + "页");
}
