/*
 * Gatehouse recovery codes: plain browser script, no build step. On the page
 * that shows new codes once (#recovery-codes), it shows the buttons of
 * [data-codes-actions] and makes them work:
 *   data-codes="copy"      copies the codes, one a line, to the clipboard
 *   data-codes="download"  saves them as a text file
 *   data-codes="print"     prints the page (the stylesheet prints the codes only)
 * The result is announced in #codes-status (role=status), in the page's language
 * from data-msg-copied, -copy-failed and -downloaded (English without them).
 */
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: a classic script (<script defer>), where strict mode is not implied
  'use strict';

  var list = document.getElementById('recovery-codes');
  var actions = document.querySelector('[data-codes-actions]');
  if (!list || !actions) return;
  var status = document.getElementById('codes-status');
  var codes = Array.prototype.map.call(list.querySelectorAll('code'), (c) => c.textContent.trim());
  var text = `${actions.dataset.heading || 'Recovery codes'}\n\n${codes.join('\n')}\n`;

  /** One of the messages, in the page's language when the page gives it. */
  function say(name, english) {
    if (status) status.textContent = actions.dataset[name] || english;
  }

  var handlers = {
    copy: () =>
      navigator.clipboard.writeText(text).then(
        () => say('msgCopied', 'The codes are copied.'),
        () => say('msgCopyFailed', 'The codes could not be copied: select them and copy them yourself.'),
      ),
    download: () => {
      var url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
      var a = document.createElement('a');
      a.href = url;
      a.download = actions.dataset.filename || 'recovery-codes.txt';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
      say('msgDownloaded', 'The codes are saved as a text file.');
    },
    print: () => window.print(),
  };

  actions.querySelectorAll('[data-codes]').forEach((button) => {
    button.addEventListener('click', () => handlers[button.dataset.codes]());
  });
  actions.hidden = false;
})();
