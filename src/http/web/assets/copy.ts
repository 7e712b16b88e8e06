// "Sao chép": copies the text of the element named by `data-copy` and says so. The Clipboard API needs a
// secure context, which a commune server on a LAN address over http is not, so it falls back to
// selecting the text and the older copy command; if both fail the text stays selected for a long press.
export const copyJs = `
(function () {
  'use strict';
  var rows = document.querySelectorAll('[data-copy-row]');
  for (var i = 0; i < rows.length; i++) rows[i].hidden = false;
  function select(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-copy]');
    if (!button) return;
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector('[data-copy-status]');
    var done = function () { if (status) status.textContent = button.dataset.copied; };
    var fallback = function () {
      select(source);
      try { if (document.execCommand('copy')) done(); } catch (err) { /* left selected */ }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent.trim()).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
`;
