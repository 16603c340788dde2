(function () {
  var box = document.getElementById('gkmlpt-list');
  var page = Number(new URLSearchParams(location.search).get('page') || 1);
  function link(href, label) {
    var a = document.createElement('a'); a.href = href; a.textContent = label; return a;
  }
  fetch(box.dataset.api + '?page=' + page + '&sid=' + box.dataset.sid)
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var list = box.querySelector('ul.list');
      data.articles.forEach(function (article) {
        var item = document.createElement('li');
        var a = link(article.url, article.title); a.target = '_blank';
        var date = document.createElement('span'); date.className = 'date';
        date.textContent = new Date(article.date * 1000).toISOString().slice(0, 10);
        item.appendChild(a); item.appendChild(date); list.appendChild(item);
      });
      var pages = Math.ceil(data.total / data.per_page), pager = box.querySelector('.pagination');
      if (page > 1) { pager.appendChild(link('?page=' + (page - 1), '上一页')); }
      if (page < pages) {
        pager.appendChild(link('?page=' + (page + 1), '下一页'));
        pager.appendChild(link('?page=' + pages, '尾页'));
      }
      box.querySelector('.loading').remove();
    });
})();
