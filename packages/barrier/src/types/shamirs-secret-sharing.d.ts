// The package ships plain JavaScript; this declares only the part shamir.ts uses.
declare module 'shamirs-secret-sharing' {
  interface SplitOptions {
    shares: number;
    threshold: number;
    random?: (size: number) => Uint8Array;
  }
  /** Each share is `0x08`, a one-byte x-coordinate, then 16-byte blocks of y values. */
  export function split(secret: Uint8Array, options: SplitOptions): Uint8Array[];
  export function combine(shares: Uint8Array[]): Uint8Array;
  const sss: { split: typeof split; combine: typeof combine };
  export default sss;
}
