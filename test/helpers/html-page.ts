import { createHash } from 'node:crypto';

/** report.html taken apart: its scripts, its embedded data, its policy and the markup around them. */
export interface PageParts {
  readonly scriptTags: readonly string[];
  readonly dataText: string;
  readonly appScript: string;
  readonly csp: string;
  /** The page without the two script elements. */
  readonly markup: string;
}

export function pageParts(html: string): PageParts {
  const scriptTags = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
  const data = /<script type="application\/json" id="heaplens-data">([\s\S]*?)<\/script>/.exec(html);
  const app = /<script>([\s\S]*?)<\/script>/.exec(html);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  return {
    scriptTags,
    dataText: data?.[1] ?? '',
    appScript: app?.[1] ?? '',
    csp: (csp?.[1] ?? '').replace(/&#39;/g, "'"),
    markup: html.replace(data?.[0] ?? '', '').replace(app?.[0] ?? '', ''),
  };
}

export function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
