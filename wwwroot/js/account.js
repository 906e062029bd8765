// @ts-check
// The sign-in and sign-up page (/signin, /signup): one form, the sign-up fields shown on /signup.
// On success the server sets the sign-in cookie and the page goes back where it came from.

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
