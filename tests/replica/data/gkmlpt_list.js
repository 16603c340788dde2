(function () {
  // As the gkmlpt platform draws it: the list and its pager are built from the JSON endpoint,
  // and the pager's links are javascript:void(0): a click loads the next page in place.
  var box = document.getElementById('gkmlpt-list');
  function link(href, label) {
    var a = document.createElement('a'); a.href = href; a.textContent = label; return a;
  }
  function pagerLink(label, target) {
    var a = link('javascript:void(0)', label);
    a.addEventListener('click', function () { load(target); });
    return a;
  }
  function load(page) {
    fetch(box.dataset.api + '?page=' + page + '&sid=' + box.dataset.sid)
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var list = box.querySelector('ul.list'), pager = box.querySelector('.pagination');
        list.innerHTML = ''; pager.innerHTML = '';
        data.articles.forEach(function (article) {
          var item = document.createElement('li');
          var a = link(article.url, article.title); a.target = '_blank';
          var date = document.createElement('span'); date.className = 'date';
          date.textContent = new Date(article.date * 1000).toISOString().slice(0, 10);
          item.appendChild(a); item.appendChild(date); list.appendChild(item);
        });
        var pages = Math.ceil(data.total / data.per_page);
        if (page > 1) { pager.appendChild(pagerLink('上一页', page - 1)); }
        if (page < pages) {
          pager.appendChild(pagerLink('下一页', page + 1));
          pager.appendChild(pagerLink('尾页', pages));
        }
        var loading = box.querySelector('.loading');
        if (loading) { loading.remove(); }
      });
  }
  load(Number(new URLSearchParams(location.search).get('page') || 1));
})();
