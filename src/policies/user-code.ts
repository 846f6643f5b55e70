/** The symbols of a generated userCode: capitals and digits without I, O, 0 and 1, which read as each other. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const LENGTH = 8;

/**
 * A new userCode of 8 symbols; `random(max)` draws an integer in [0, max)
 * (node:crypto's `randomInt`). Whether nobody holds it is the caller's to check.
 */
export function drawUserCode(random: (max: number) => number): string {
  return Array.from({ length: LENGTH }, () => ALPHABET[random(ALPHABET.length)]).join('');
}
