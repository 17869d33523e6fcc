// The part of jsdom's API the tests use (jsdom ships no types; @types/jsdom lags its majors).
declare module "jsdom" {
  export class JSDOM {
    constructor(html?: string, options?: { url?: string; pretendToBeVisual?: boolean });
    readonly window: Window & typeof globalThis;
  }
}
