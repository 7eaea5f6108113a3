import axios, { AxiosError, type AxiosInstance } from 'axios';
import iconv from 'iconv-lite';
import { createAddressGuard, ForbiddenAddressError, type AddressPolicy } from './address-guard.js';

/** The User-Agent every request of the importer sends, so site owners can tell who reads them (ASCII: a header). */
export const DEFAULT_USER_AGENT = 'mattran-bot/0.1 (+https://github.com/mattran-bot/mattran-bot; MTTQ question-answering assistant)';

/** Validators remembered from a response, sent back as a conditional request next time. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

/** Where the fetcher looks up the validators of a URL (the article store implements it). */
export interface ValidatorStore {
  /** Validators last remembered for `url`, if any. */
  getValidators(url: string): Promise<Validators | undefined>;
  /** Remember validators for `url` (called by the importer once the response was used). */
  setValidators(url: string, validators: Validators): Promise<void>;
}

/** Settings of {@link createFetcher}. */
export interface FetchOptions {
  /**
   * Deadline of one request, redirects included, from the first byte sent to the last byte read.
   * @default 15000
   */
  timeoutMs?: number;
  /**
   * Largest response body read; a bigger one is aborted while it streams in.
   * @default 5 MB
   */
  maxBytes?: number;
  /**
   * Redirects followed before giving up.
   * @default 5
   */
  maxRedirects?: number;
  /** @default {@link DEFAULT_USER_AGENT} */
  userAgent?: string;
  /** Validators for conditional requests; without it every request is unconditional. */
  validators?: ValidatorStore;
  /**
   * Addresses and ports that may be connected to, checked on every connection (redirects included).
   * @default public addresses only, ports 80, 443 and 8080
   */
  addressPolicy?: AddressPolicy;
}

/** What went wrong with a fetch; the importer reports it, nothing throws past it. */
export type FetchErrorKind = 'bad-url' | 'forbidden-address' | 'timeout' | 'too-large' | 'too-many-redirects' | 'redirect-loop' | 'http-status' | 'network';

/**
 * A fetch that did not give a usable response. `url` is the one asked for. Kind `forbidden-address` has the
 * {@link ForbiddenAddressError} as its `cause`.
 */
export class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    message: string,
    readonly kind: FetchErrorKind,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A decoded response. */
export interface FetchedResource {
  notModified: false;
  /** The URL asked for. */
  requestedUrl: string;
  /** The URL the content came from, after redirects. */
  url: string;
  status: number;
  /** The Content-Type header without parameters, lowercased ("" when absent). */
  contentType: string;
  /** The charset used for decoding (an iconv-lite name). */
  charset: string;
  /** Where the charset came from. */
  charsetSource: 'bom' | 'header' | 'meta' | 'xml-declaration' | 'default';
  /** The body, decoded and in NFC. */
  text: string;
  /** Body size in bytes. */
  bytes: number;
  /** Validators of this response, for the next conditional request of `requestedUrl`. */
  validators?: Validators;
}

/** The server said the resource did not change since the validators we sent (HTTP 304). */
export interface NotModified {
  notModified: true;
  requestedUrl: string;
  url: string;
}

/** Options of one fetch. */
export interface FetchCallOptions {
  /** Send the remembered validators of the URL (If-None-Match / If-Modified-Since). */
  conditional?: boolean;
}

/** Fetches pages and feeds over HTTP(S) with the importer's limits. */
export interface Fetcher {
  /** GET `url`; throws {@link FetchError} only. */
  fetch(url: string, options?: FetchCallOptions): Promise<FetchedResource | NotModified>;
  /** Remember the validators of a used response (no-op without a validator store). */
  remember(resource: FetchedResource): Promise<void>;
}

const MB = 1024 * 1024;

/** Only http(s) URLs are fetched: anything else (file:, data:, ftp:) is refused. */
export function parseHttpUrl(raw: string): URL | undefined {
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The charset parameter of a Content-Type header, if any. */
function headerCharset(contentType: string): string | undefined {
  const m = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType);
  return m?.[1];
}

/**
 * The charset a document declares in its first bytes: `<meta charset>`, `<meta http-equiv content>` or the
 * XML declaration. Read as latin1 so any byte sequence can be searched.
 */
function declaredCharset(head: string): { charset: string; source: 'meta' | 'xml-declaration' } | undefined {
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  if (xml?.[1]) return { charset: xml[1], source: 'xml-declaration' };
  const meta = /<meta\b[^>]*\bcharset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  if (meta?.[1]) return { charset: meta[1], source: 'meta' };
  return undefined;
}

/** Map WHATWG labels iconv-lite spells differently; unknown labels fall back to UTF-8. */
function supportedCharset(label: string): string | undefined {
  const name = label.toLowerCase();
  // Browsers read "iso-8859-1" and "us-ascii" as windows-1252 (WHATWG Encoding, "labels").
  const alias = name === 'iso-8859-1' || name === 'latin1' || name === 'us-ascii' ? 'windows-1252' : name;
  return iconv.encodingExists(alias) ? alias : undefined;
}

/** Decode a body: BOM, then the header's charset, then the document's declaration, else UTF-8; NFC. */
export function decodeBody(bytes: Buffer, contentTypeHeader: string): Pick<FetchedResource, 'text' | 'charset' | 'charsetSource'> {
  let charset: string | undefined;
  let charsetSource: FetchedResource['charsetSource'] = 'default';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) [charset, charsetSource] = ['utf-8', 'bom'];
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [charset, charsetSource] = ['utf-16le', 'bom'];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [charset, charsetSource] = ['utf-16be', 'bom'];
  if (!charset) {
    const fromHeader = headerCharset(contentTypeHeader);
    if (fromHeader && supportedCharset(fromHeader)) [charset, charsetSource] = [supportedCharset(fromHeader), 'header'];
  }
  if (!charset) {
    // NULs removed so that a UTF-16 document without a BOM still shows its declaration.
    const declared = declaredCharset(bytes.subarray(0, 2048).toString('latin1').replace(/\0/g, ''));
    if (declared && supportedCharset(declared.charset)) [charset, charsetSource] = [supportedCharset(declared.charset), declared.source];
  }
  const used = charset ?? 'utf-8';
  // windows-1258 and other legacy Vietnamese charsets carry tone marks as combining characters: NFC joins them.
  return { text: iconv.decode(bytes, used).normalize('NFC'), charset: used, charsetSource };
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name];
  if (Array.isArray(v)) return v.length > 0 ? String(v[0]) : undefined;
  return v == null ? undefined : String(v);
}

/** Create a fetcher. One axios instance; redirects are followed here (not by axios) to detect loops. */
export function createFetcher(options: FetchOptions = {}): Fetcher {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 5 * MB;
  const maxRedirects = options.maxRedirects ?? 5;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const guard = createAddressGuard(options.addressPolicy);
  const http: AxiosInstance = axios.create({
    // The agents check every address connected to; a proxy from the environment would connect instead.
    httpAgent: guard.httpAgent,
    httpsAgent: guard.httpsAgent,
    proxy: false,
    responseType: 'arraybuffer',
    maxRedirects: 0,
    maxContentLength: maxBytes,
    validateStatus: () => true,
    // Bodies are decoded by us: the declared charset must be applied to bytes, not to axios' guess.
    transformResponse: [(data: unknown) => data],
    decompress: true,
    headers: {
      'User-Agent': userAgent,
      Accept: 'text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5',
      'Accept-Language': 'vi,en;q=0.5',
    },
  });

  async function fetchOnce(requested: string, callOptions: FetchCallOptions = {}): Promise<FetchedResource | NotModified> {
    const first = parseHttpUrl(requested);
    if (!first) throw new FetchError(`not an http(s) URL: ${requested}`, 'bad-url', requested);
    const conditional = callOptions.conditional && options.validators ? await options.validators.getValidators(first.href) : undefined;
    const controller = new AbortController();
    let timedOut = false;
    // A total deadline: axios' own timeout only notices an idle socket, so a server trickling bytes would never time out.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const seen = new Set<string>();
    let current = first;
    const forbidden = (refusal: ForbiddenAddressError) =>
      new FetchError(`${refusal.message}: ${current.href}`, 'forbidden-address', requested, undefined, { cause: refusal });
    try {
      for (let hop = 0; ; hop++) {
        seen.add(current.href);
        const refusal = guard.check(current);
        if (refusal) throw forbidden(refusal);
        const headers: Record<string, string> = {};
        if (hop === 0 && conditional?.etag) headers['If-None-Match'] = conditional.etag;
        if (hop === 0 && conditional?.lastModified) headers['If-Modified-Since'] = conditional.lastModified;
        const res = await http.get<ArrayBuffer>(current.href, { headers, signal: controller.signal });
        const resHeaders = res.headers as Record<string, unknown>;
        if (res.status >= 300 && res.status < 400 && res.status !== 304) {
          const location = header(resHeaders, 'location');
          if (!location) throw new FetchError(`HTTP ${res.status} without Location from ${current.href}`, 'http-status', requested, res.status);
          const next = parseHttpUrl(new URL(location, current).href);
          if (!next) throw new FetchError(`redirect to a non-http(s) URL from ${current.href}`, 'bad-url', requested, res.status);
          if (seen.has(next.href)) throw new FetchError(`redirect loop: ${current.href} → ${next.href}`, 'redirect-loop', requested, res.status);
          if (hop + 1 > maxRedirects)
            throw new FetchError(`more than ${maxRedirects} redirects from ${requested}`, 'too-many-redirects', requested, res.status);
          current = next;
          continue;
        }
        if (res.status === 304) return { notModified: true, requestedUrl: first.href, url: current.href };
        if (res.status < 200 || res.status >= 300) throw new FetchError(`HTTP ${res.status} from ${current.href}`, 'http-status', requested, res.status);
        const bytes = Buffer.from(res.data);
        const contentTypeHeader = header(resHeaders, 'content-type') ?? '';
        const validators: Validators = {};
        const etag = header(resHeaders, 'etag');
        const lastModified = header(resHeaders, 'last-modified');
        if (etag) validators.etag = etag;
        if (lastModified) validators.lastModified = lastModified;
        return {
          notModified: false,
          requestedUrl: first.href,
          url: current.href,
          status: res.status,
          contentType: contentTypeHeader.split(';')[0]!.trim().toLowerCase(),
          bytes: bytes.length,
          ...decodeBody(bytes, contentTypeHeader),
          ...(etag || lastModified ? { validators } : {}),
        };
      }
    } catch (err) {
      if (err instanceof FetchError) throw err;
      const refusal = (err as { cause?: unknown }).cause;
      if (refusal instanceof ForbiddenAddressError) throw forbidden(refusal);
      if (timedOut) throw new FetchError(`timed out after ${timeoutMs} ms: ${requested}`, 'timeout', requested, undefined, { cause: err });
      const ax = err as AxiosError;
      if (ax.code === AxiosError.ERR_BAD_RESPONSE && /maxContentLength/.test(ax.message)) {
        throw new FetchError(`larger than ${maxBytes} bytes: ${requested}`, 'too-large', requested);
      }
      // Never rethrow the axios error itself: its config holds headers and the whole request.
      throw new FetchError(`network error (${ax.code ?? ax.message}): ${requested}`, 'network', requested);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    fetch: fetchOnce,
    async remember(resource) {
      if (options.validators && resource.validators) await options.validators.setValidators(resource.requestedUrl, resource.validators);
    },
  };
}
