// Live help while a cadre types a text to be read out: the character counter ("1234 / 5000 ký tự") and
// the note that a language without a voice of its own will be read by a Vietnamese voice. Without
// JavaScript the page shows both as they were when it was made, and the server still refuses a text past
// the limit. Counts as the kernel's `textLength` does: code points after NFC, a line break as one.
// Plain ES2017 without template literals: it is served from a TypeScript string.
export const composeJs = `
(function () {
  'use strict';
  function length(text) {
    return Array.from(text.replace(/\\r\\n?/g, '\\n').normalize('NFC')).length;
  }

  var counters = document.querySelectorAll('[data-counter]');
  for (var i = 0; i < counters.length; i++) {
    (function (box) {
      var area = box.querySelector('textarea');
      var shown = box.querySelector('.hint');
      var over = box.querySelector('[data-count-over]');
      var max = Number(box.dataset.max);
      if (!area || !shown || !over) return;
      function update() {
        var n = length(area.value);
        var past = n - max;
        shown.textContent = box.dataset.msgCount.replace('{n}', String(n));
        shown.classList.toggle('over', past > 0);
        // The live region speaks only past the limit, not at every key below it; sighted people see
        // the counter turn red.
        over.textContent = past > 0 ? box.dataset.msgOver.replace('{n}', String(past)) : '';
      }
      area.addEventListener('input', update);
      update();
    })(counters[i]);
  }

  var notes = document.querySelectorAll('[data-voice-note]');
  for (var j = 0; j < notes.length; j++) {
    (function (note) {
      var form = note.closest('form');
      var select = form && form.querySelector('select[name="language"]');
      if (!select) return;
      var own = note.dataset.ownVoice;
      function update() {
        var code = select.value;
        var hasOwn = code === own || code.indexOf(own + '-') === 0;
        note.hidden = hasOwn;
        if (!hasOwn) {
          var label = select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : code;
          note.textContent = note.dataset.msgNote.split('{lang}').join(label);
        }
      }
      select.addEventListener('change', update);
      update();
    })(notes[j]);
  }
})();
`;
