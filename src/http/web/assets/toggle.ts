// Shows only the part of a form that the chosen radio button needs (`data-show-if="name=value"`, or
// `name=a|b` for a part that several choices need): the recording or the text, the slot or the exact
// time. Without scripts every part stays visible and the server uses the one chosen.
export const toggleJs = `
(function () {
  'use strict';
  var parts = document.querySelectorAll('[data-show-if]');
  function update() {
    for (var i = 0; i < parts.length; i++) {
      var rule = parts[i].dataset.showIf.split('=');
      var form = parts[i].closest('form');
      var chosen = form && form.querySelector('input[name="' + rule[0] + '"]:checked');
      parts[i].hidden = !!chosen && rule[1].split('|').indexOf(chosen.value) < 0;
    }
  }
  document.addEventListener('change', function (e) {
    if (e.target && e.target.type === 'radio') update();
  });
  update();
})();
`;
