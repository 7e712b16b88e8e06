// Live reach of an emergency: polls the broadcast's reach (a small JSON answer) every 3 s, and on a
// failure backs off to 30 s, for half an hour; updates how many boxes have started and lists by name
// those that have not. A box that started and then failed goes back on the list. Without JavaScript the
// page refreshes itself (a <meta refresh> inside <noscript>).
export const reachJs = `
(function () {
  'use strict';
  var box = document.querySelector('[data-reach]');
  if (!box) return;
  var url = box.dataset.reach;
  var labels = JSON.parse(box.dataset.labels || '{}');
  var hamlets = JSON.parse(box.dataset.hamlets || '{}');
  var startedTemplate = box.dataset.msgStarted || '{n}/{total}';
  var started = box.querySelector('[data-reach-started]');
  var list = box.querySelector('[data-reach-pending]');
  var all = box.querySelector('[data-reach-all]');
  var until = Date.now() + 30 * 60 * 1000;
  var delay = 3000;
  function reason(r) {
    if (r.status === 'scheduled') return r.onlineWhenSent ? labels.waiting : labels.offlineWhenSent;
    return labels[r.status] || r.status;
  }
  function render(reach) {
    var text = startedTemplate.replace('{n}', reach.started).replace('{total}', reach.receivers);
    if (started.textContent !== text) started.textContent = text;
    list.textContent = '';
    reach.notStarted.forEach(function (r) {
      var item = document.createElement('li');
      item.dataset.receiver = r.receiverId;
      var name = document.createElement('strong');
      name.textContent = r.name;
      item.appendChild(name);
      item.appendChild(document.createTextNode(' — ' + (hamlets[r.hamletId] || r.hamletId) + ' · ' + reason(r)));
      list.appendChild(item);
    });
    list.hidden = reach.notStarted.length === 0;
    all.hidden = reach.notStarted.length > 0;
  }
  function next() {
    if (Date.now() < until) setTimeout(tick, delay);
  }
  function tick() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.json() : Promise.reject(res.status); })
      .then(function (reach) {
        delay = 3000;
        render(reach);
        next();
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        next();
      });
  }
  next();
})();
`;
