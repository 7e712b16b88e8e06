// The schedule page lands on the result: after a save, the new item (the server marks it `data-fresh`
// and the address ends in #moi); after a refusal, the first field marked wrong (the server also gives it
// `autofocus`), else the form's message. Scrolled to the middle of the screen, so that on a phone the
// item is seen with what is around it. "+ Thêm" of a slot fills the form for that slot and day here,
// without loading the page again over a slow link; without scripts it is a link that does the same.
export const scheduleJs = `
(function () {
  'use strict';
  function land(el) {
    if (!el) return;
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
  }
  var form = document.querySelector('form[data-schedule-form]');
  var wrong = form && form.querySelector('[aria-invalid="true"], .has-error input');
  var message = form && form.querySelector('[data-form-error]:not([hidden])');
  var target = wrong || message || document.querySelector('[data-fresh]');
  land(target);
  // The browser scrolls to the address's #fragment once the page has loaded; centre again after it.
  window.addEventListener('load', function () {
    setTimeout(function () {
      if (target && document.activeElement === target) target.scrollIntoView({ block: 'center' });
    }, 0);
  });

  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[data-add-slot]');
    if (!link || !form || !form.elements.slotName) return;
    e.preventDefault();
    var kind = form.querySelector('input[name="kind"][value="slot"]');
    kind.checked = true;
    kind.dispatchEvent(new Event('change', { bubbles: true }));
    form.elements.slotName.value = link.dataset.addSlot;
    form.elements.slotDate.value = link.dataset.addDate;
    land(form.elements.announcementId);
  });
})();
`;
