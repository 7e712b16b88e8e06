// Live processing state: polls the announcement every 2 s and reloads the page once processing has
// finished, so the server renders the waveform, loudness and player. Without JavaScript the page
// refreshes itself (a <meta refresh> inside <noscript>).
export const statusJs = `
(function () {
  'use strict';
  var box = document.querySelector('[data-poll]');
  if (!box) return;
  var url = box.dataset.poll;
  var labels = JSON.parse(box.dataset.labels || '{}');
  var text = box.querySelector('[data-status-text]');
  var signature = box.dataset.signature;
  var delay = 2000;
  function sig(a) {
    return a.status + ':' + (a.variants || []).map(function (v) { return v.language + '=' + v.status; }).join(',');
  }
  function tick() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.json() : Promise.reject(res.status); })
      .then(function (a) {
        delay = 2000;
        if (text && labels[a.status]) text.textContent = labels[a.status];
        var done = (a.variants || []).every(function (v) { return v.status === 'ready' || v.status === 'failed'; });
        if (sig(a) !== signature && done) { window.location.reload(); return; }
        setTimeout(tick, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        setTimeout(tick, delay);
      });
  }
  setTimeout(tick, delay);
})();
`;
