// @ts-check
// Who the page acts as: the signed-in account (the cookie), or a guest holding a share link for
// one document. A link's token arrives in the URL's fragment (#link=…), which browsers never send
// to a server, and is kept for this tab only (sessionStorage).

const LINK_HEADER = 'X-CollabEdit-Link';

/** @typedef {{ id: string, userName: string, email: string, displayName: string, isAdministrator: boolean }} Account */

/** The share link token this tab holds for the document, taken from the URL's fragment first. @param {string} documentId */
export function linkToken(documentId) {
  const key = `collabedit.link.${documentId}`;
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('link');
  if (fromUrl) sessionStorage.setItem(key, fromUrl);
  return fromUrl || sessionStorage.getItem(key);
}

/** Request headers that carry the document's share link, if this tab holds one. @param {string} documentId */
export function linkHeaders(documentId) {
  const token = linkToken(documentId);
  return token ? { [LINK_HEADER]: token } : {};
}

/** The signed-in account, or null when signed out (or offline). @returns {Promise<Account | null>} */
export async function signedIn() {
  try {
    const response = await fetch('/api/account/me');
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** Sends the browser to the sign-in page, to come back here afterwards. */
export function goSignIn() {
  location.href = `/signin?return=${encodeURIComponent(location.pathname + location.hash)}`;
}

/**
 * Signs out and goes to the sign-in page: this browser only, or (everywhere) every browser and
 * token of the account.
 * @param {{ everywhere?: boolean }} [options]
 */
export async function signOut({ everywhere = false } = {}) {
  await fetch(`/api/account/signout${everywhere ? '?everywhere=true' : ''}`, { method: 'POST' }).catch(() => {});
  location.href = '/signin';
}
