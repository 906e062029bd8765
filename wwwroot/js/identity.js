// @ts-check
// Your name and colour: chosen once, remembered in this browser.

const KEY = 'collabedit.identity';

/**
 * The colours people are shown in. Each is the background of a name label in white text, so each
 * has a contrast of at least 4.5:1 with white (WCAG AA for small text), and they are far enough
 * apart in hue to tell ten people apart. The server's CollabHub.Palette is the same list, in the
 * same order: it colours a peer that has not yet said which colour it shows.
 */
export const PALETTE = Object.freeze(['#b91c1c', '#1d4ed8', '#15803d', '#7c3aed', '#c2410c', '#0e7490', '#be185d', '#4d7c0f', '#a16207', '#57534e']);

const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Badger', 'Falcon', 'Marten', 'Ibis', 'Newt', 'Puffin', 'Wren'];

/** @param {string} color */
export const inPalette = (color) => PALETTE.includes(color.toLowerCase());

/** @returns {{ name: string, color: string }} */
export function identity() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (saved && typeof saved.name === 'string' && /^#[0-9a-f]{6}$/i.test(saved.color)) {
      if (inPalette(saved.color)) return { name: saved.name, color: saved.color.toLowerCase() };
      // A colour remembered from an older palette, some too light for white text: one of ours
      // instead, the same one for the same old colour.
      const replaced = { name: saved.name, color: PALETTE[[...saved.color.toLowerCase()].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % PALETTE.length] };
      localStorage.setItem(KEY, JSON.stringify(replaced));
      return replaced;
    }
  } catch { /* a damaged entry is replaced */ }
  const random = new Uint32Array(2);
  crypto.getRandomValues(random);
  const chosen = { name: `${ANIMALS[random[0] % ANIMALS.length]} ${random[1] % 100}`, color: PALETTE[random[1] % PALETTE.length] };
  localStorage.setItem(KEY, JSON.stringify(chosen));
  return chosen;
}

/** Asks for a new name (and keeps the colour); returns true when it changed. */
export function chooseIdentity() {
  const current = identity();
  const name = prompt('Your name, as others see it:', current.name);
  if (!name || !name.trim()) return false;
  localStorage.setItem(KEY, JSON.stringify({ ...current, name: name.trim().slice(0, 64) }));
  return true;
}

/**
 * The colour to show on a document where `others` are: chosen here rather than by the server,
 * because every page already hears everyone's presence (name and colour) and the hub stays
 * unchanged. Your other tabs (same name) are you: the one that opened first (lowest peer id)
 * leads and the others take its colour. Otherwise you keep your colour unless another person
 * shows it, and then take the first colour nobody shows. Two people arriving at once may pick the
 * same one; both see the clash, and the one with the higher peer id gives way, so it lasts one
 * round trip. With more people than colours, colours repeat.
 * @param {{ name: string, color: string, peerId: string }} me what this page shows now, and its peer id
 * @param {{ name: string, color: string, peerId: string }[]} others
 * @param {boolean} arriving true when opening: then avoid every colour in use, not only a clash
 */
export function colourAmong(me, others, arriving) {
  const myTabs = others.filter((p) => p.name === me.name && inPalette(p.color) && (arriving || p.peerId < me.peerId));
  if (myTabs.length > 0) return myTabs.reduce((a, b) => (a.peerId < b.peerId ? a : b)).color.toLowerCase();
  const people = others.filter((p) => p.name !== me.name);
  const clash = people.some((p) => p.color.toLowerCase() === me.color && (arriving || p.peerId < me.peerId));
  if (!clash && inPalette(me.color)) return me.color;
  const used = new Set(people.map((p) => p.color.toLowerCase()));
  return PALETTE.find((c) => !used.has(c)) ?? me.color;
}
