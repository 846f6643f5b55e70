/*
 * Gatehouse "Show password": plain browser script, no build step (the page CSP
 * allows no inline script). Every <input type="password" data-reveal> gets a
 * "Show" button after it that switches the field between hidden and visible
 * text; without the script the field simply stays hidden. The button's words
 * come from the script tag's data-show and data-hide (the page's language).
 */
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: a classic script (<script defer>), where strict mode is not implied
  'use strict';

  var words = document.currentScript?.dataset || {};
  var SHOW = words.show || 'Show';
  var HIDE = words.hide || 'Hide';

  function addToggle(input) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'reveal secondary';
    button.setAttribute('aria-controls', input.id);
    button.setAttribute('aria-pressed', 'false');
    button.textContent = SHOW;
    button.addEventListener('click', () => {
      var shown = input.type === 'password';
      input.type = shown ? 'text' : 'password';
      button.setAttribute('aria-pressed', String(shown));
      button.textContent = shown ? HIDE : SHOW;
      input.focus();
    });
    // The field goes back to hidden before the form is sent (a browser must not store it as plain text).
    if (input.form) input.form.addEventListener('submit', () => (input.type = 'password'));
    input.insertAdjacentElement('afterend', button);
  }

  document.querySelectorAll('input[type="password"][data-reveal]').forEach(addToggle);
})();
