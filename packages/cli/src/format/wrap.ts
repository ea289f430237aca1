// Paragraph wrapping as Vault's CLI wraps its prose (kr/text: minimum raggedness, lines of at most 78 columns).

const MAX_LINE_LENGTH = 78;
const LONG_LINE_PENALTY = 1e5;

function wrapWords(words: readonly string[], limit: number): string[][] {
  const n = words.length;
  // prefix[k] = width of words[0..k-1] with one space after each, so a line i..j is prefix[j+1] - prefix[i] - 1.
  const prefix = [0];
  for (const w of words) prefix.push(prefix[prefix.length - 1]! + [...w].length + 1);
  const len = (i: number, j: number): number => prefix[j + 1]! - prefix[i]! - 1;
  const breakAt = new Array<number>(n).fill(n);
  const cost = new Array<number>(n).fill(Number.MAX_SAFE_INTEGER);
  for (let i = n - 1; i >= 0; i--) {
    if (len(i, n - 1) <= limit || i === n - 1) {
      cost[i] = 0;
      breakAt[i] = n;
      continue;
    }
    for (let j = i + 1; j < n; j++) {
      const lineLen = len(i, j - 1);
      const d = limit - lineLen;
      let c = d * d + cost[j]!;
      if (lineLen > limit) c += LONG_LINE_PENALTY;
      if (c < cost[i]!) {
        cost[i] = c;
        breakAt[i] = j;
      }
    }
  }
  const lines: string[][] = [];
  for (let i = 0; i < n; i = breakAt[i]!) lines.push(words.slice(i, breakAt[i]));
  return lines;
}

export function wrapAtLength(text: string, pad = 0): string {
  const words = text.trim().replace(/\n/g, ' ').split(' ');
  return wrapWords(words, MAX_LINE_LENGTH - pad)
    .map((line) => ' '.repeat(pad) + line.join(' '))
    .join('\n');
}
