/*
 * Gatehouse passkeys: plain browser script, no build step. Needs
 * /assets/simplewebauthn-browser.js loaded first (global SimpleWebAuthnBrowser).
 *
 * Buttons it drives, found by data attributes:
 *   data-passkey="authenticate"  sign in with a passkey (alone, or as the second step)
 *   data-passkey="register"      add a passkey to the signed-in account
 * with
 *   data-options     URL answering the ceremony's options (POST)
 *   data-verify      URL taking the authenticator's answer (POST)
 *   data-csrf        the page's CSRF token (else the page's hidden input _csrf)
 *   data-name-input  register only: id of the text input naming the new passkey
 *   data-done        register only: where to go afterwards (default: reload)
 *   data-error       id of the role=alert element for errors (default: passkey-error;
 *                    created before the button when missing)
 *   data-msg-failed, -cancelled, -exists, -insecure, -name-too-long
 *                    the messages below in the page's language (English without them)
 * Requests are JSON with the token in the x-csrf-token header. After a sign-in
 * the browser goes to the `location` the server answers.
 */
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: a classic script (<script defer>), where strict mode is not implied
  'use strict';

  var lib = window.SimpleWebAuthnBrowser;
  var MESSAGES = {
    msgFailed: 'Something went wrong with the passkey. Try again.',
    msgCancelled: 'The passkey request was cancelled or timed out.',
    msgExists: 'This device already has a passkey for your account.',
    msgInsecure: 'Passkeys cannot be used on this address.',
    msgNameTooLong: 'A passkey name has at most 64 characters.',
  };

  /** One of MESSAGES, in the page's language when the button carries it. */
  function say(el, name) {
    return el.dataset[name] || MESSAGES[name];
  }

  function csrfToken(el) {
    if (el.dataset.csrf) return el.dataset.csrf;
    var input = document.querySelector('input[name="_csrf"]');
    return input ? input.value : '';
  }

  function errorBox(el) {
    var box = document.getElementById(el.dataset.error || 'passkey-error');
    if (!box) {
      box = document.createElement('div');
      box.className = 'alert';
      box.setAttribute('role', 'alert');
      box.hidden = true;
      el.parentNode.insertBefore(box, el);
    }
    return box;
  }

  function showError(el, message) {
    var box = errorBox(el);
    box.textContent = message;
    box.hidden = false;
  }

  function clearError(el) {
    var box = document.getElementById(el.dataset.error || 'passkey-error');
    if (box) {
      box.textContent = '';
      box.hidden = true;
    }
  }

  /** An error whose message is meant for the person. */
  function ShownError(message) {
    this.name = 'ShownError';
    this.message = message;
  }

  async function post(el, url, body) {
    var res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken(el) },
      body: JSON.stringify(body || {}),
    });
    var data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok) throw new ShownError(data?.message || say(el, 'msgFailed'));
    return data || {};
  }

  /** What to tell the person: our own message, or why the browser or the authenticator said no. */
  function messageFor(el, err, registering) {
    if (err instanceof ShownError) return err.message;
    var name = err?.name;
    if (name === 'NotAllowedError' || name === 'AbortError') return say(el, 'msgCancelled');
    if (name === 'InvalidStateError' && registering) return say(el, 'msgExists');
    if (name === 'SecurityError') return say(el, 'msgInsecure');
    return say(el, 'msgFailed');
  }

  async function authenticate(el) {
    var optionsJSON = await post(el, el.dataset.options);
    var response = await lib.startAuthentication({ optionsJSON: optionsJSON });
    var result = await post(el, el.dataset.verify, response);
    window.location.assign(result.location);
  }

  async function register(el) {
    var input = el.dataset.nameInput ? document.getElementById(el.dataset.nameInput) : null;
    var name = input ? input.value.trim() : '';
    if (name.length > 64) throw new ShownError(say(el, 'msgNameTooLong'));
    var optionsJSON = await post(el, el.dataset.options);
    var response = await lib.startRegistration({ optionsJSON: optionsJSON });
    await post(el, el.dataset.verify, { name: name, response: response });
    if (el.dataset.done) window.location.assign(el.dataset.done);
    else window.location.reload();
  }

  var ACTIONS = { authenticate: authenticate, register: register };

  function bind(el) {
    var action = ACTIONS[el.dataset.passkey];
    if (!action) return;
    el.hidden = false;
    el.addEventListener('click', async (event) => {
      event.preventDefault();
      if (el.disabled) return;
      el.disabled = true;
      el.setAttribute('aria-busy', 'true');
      clearError(el);
      try {
        await action(el);
      } catch (err) {
        showError(el, messageFor(el, err, action === register));
      } finally {
        el.disabled = false;
        el.removeAttribute('aria-busy');
      }
    });
  }

  function start() {
    var buttons = document.querySelectorAll('[data-passkey]');
    var supported = Boolean(lib?.browserSupportsWebAuthn());
    for (let i = 0; i < buttons.length; i++) {
      if (supported) bind(buttons[i]);
      else buttons[i].hidden = true;
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
