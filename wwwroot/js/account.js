// @ts-check
// The sign-in and sign-up page (/signin, /signup): one form, the sign-up fields shown on /signup.
// On success the server sets the sign-in cookie and the page goes back where it came from.
// The same page at /account manages the signed-in account: change the password, sign out (here
// or everywhere), delete the account.

import { signOut } from './access.js';

const signUp = location.pathname === '/signup';
const form = /** @type {HTMLFormElement} */ (document.getElementById('account-form'));
const error = /** @type {HTMLElement} */ (document.getElementById('error'));
const returnTo = new URLSearchParams(location.search).get('return');
// Only a path on this site: never an absolute URL someone put in a link.
const next = returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';

const title = signUp ? 'Create an account' : 'Sign in';
document.title = `${title} — CollabEdit`;
/** @type {HTMLElement} */ (document.getElementById('heading')).textContent = title;
/** @type {HTMLElement} */ (document.getElementById('mode')).textContent = title;
/** @type {HTMLElement} */ (document.getElementById('submit')).textContent = title;
for (const part of document.querySelectorAll('.sign-up-only')) /** @type {HTMLElement} */ (part).hidden = !signUp;
if (signUp) {
  /** @type {HTMLInputElement} */ (document.getElementById('email')).required = true;
  /** @type {HTMLInputElement} */ (document.getElementById('password')).autocomplete = 'new-password';
}
const other = document.createElement('a');
other.href = `${signUp ? '/signin' : '/signup'}${location.search}`;
other.textContent = signUp ? 'I have an account: sign in' : 'No account yet? Create one';
/** @type {HTMLElement} */ (document.getElementById('switch')).append(other);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const fields = Object.fromEntries(new FormData(form));
  try {
    const response = await fetch(signUp ? '/api/account/signup' : '/api/account/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    });
    if (response.ok) {
      location.href = next;
      return;
    }
    const problem = await response.json().catch(() => null);
    error.textContent = problem?.detail ?? `That did not work (HTTP ${response.status}).`;
  } catch {
    error.textContent = 'The server could not be reached (are you offline?).';
  }
});

if (location.pathname === '/account') manageAccount();

/** Shows the account's own forms in place of the sign-in form. */
function manageAccount() {
  document.title = 'Your account — CollabEdit';
  /** @type {HTMLElement} */ (document.getElementById('heading')).textContent = 'Your account';
  /** @type {HTMLElement} */ (document.getElementById('mode')).textContent = 'Account';
  /** @type {HTMLElement} */ (document.getElementById('account-form')).hidden = true;
  /** @type {HTMLElement} */ (document.getElementById('switch')).hidden = true;
  /** @type {HTMLElement} */ (document.getElementById('manage')).hidden = false;
  /** @type {HTMLElement} */ (document.getElementById('manage-sign-out')).addEventListener('click', () => signOut());
  /** @type {HTMLElement} */ (document.getElementById('manage-sign-out-everywhere')).addEventListener('click', () => signOut({ everywhere: true }));

  const passwordForm = /** @type {HTMLFormElement} */ (document.getElementById('password-form'));
  const passwordError = /** @type {HTMLElement} */ (document.getElementById('password-error'));
  const passwordDone = /** @type {HTMLElement} */ (document.getElementById('password-done'));
  passwordForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    passwordError.textContent = '';
    passwordDone.textContent = '';
    const response = await send('/api/account/password', 'POST', Object.fromEntries(new FormData(passwordForm)), passwordError);
    if (response?.ok) {
      passwordForm.reset();
      passwordDone.textContent = 'Password changed. Every other session was signed out.';
    }
  });

  const deleteForm = /** @type {HTMLFormElement} */ (document.getElementById('delete-form'));
  const deleteError = /** @type {HTMLElement} */ (document.getElementById('delete-error'));
  deleteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    deleteError.textContent = '';
    if (!confirm('Delete your account and every document you own, for good?')) return;
    const response = await send('/api/account', 'DELETE', Object.fromEntries(new FormData(deleteForm)), deleteError);
    if (response?.ok) location.href = '/signup';
  });
}

/**
 * Sends JSON; a refusal's reason (or a signed-out session's) goes to `error`.
 * @param {string} url @param {string} method @param {object} body @param {HTMLElement} error
 */
async function send(url, method, body, error) {
  try {
    const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status === 401) {
      location.href = `/signin?return=${encodeURIComponent('/account')}`;
      return null;
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      error.textContent = problem?.detail ?? `That did not work (HTTP ${response.status}).`;
    }
    return response;
  } catch {
    error.textContent = 'The server could not be reached (are you offline?).';
    return null;
  }
}
