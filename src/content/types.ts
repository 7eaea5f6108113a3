/** Where an item came from and what it is. */
export type ArticleKind = 'article' | 'announcement';

/** A news article or a staff announcement. */
export interface Article {
  /** Stable id (from the source, or derived from the canonical URL). */
  id: string;
  /** Canonical URL, when the item has one. */
  url?: string;
  title: string;
  /** The sapo / lead paragraph. */
  summary?: string;
  body: string;
  /** ISO 8601 date or date-time, Vietnam time when no offset is given. */
  publishedAt?: string;
  /** One of the 34 provinces (2025 names), when the item concerns one. */
  province?: string;
  /** Topic slugs from the digest catalogue. */
  topics?: string[];
  /** Publisher or dataset name. */
  source: string;
  kind: ArticleKind;
  author?: string;
}

/** Kinds of Front programs. */
export type ProgramKind = 'coordination' | 'campaign' | 'movement' | 'fund';

/** A coordination program, campaign, movement or fund of the Front. */
export interface Program {
  id: string;
  name: string;
  kind: ProgramKind;
  /** "trung-uong" (nationwide) or "tinh" (provincial). */
  level: string;
  province?: string;
  parties: string[];
  /** Free text: "2022", "từ 1995", "2024–2025". */
  period: string;
  summary: string;
  tasks: string[];
  sourceUrl?: string;
  /** Where the facts come from. */
  source?: string;
}

/** Anything the index holds: articles and programs are searched and answered alike. */
export type ContentItem = ({ type: 'article' } & Article) | ({ type: 'program' } & Program);

/**
 * The searchable view of an item: the fields the index and the answer engine read. A `faq` doc is a curated
 * entry (id `faq:<n>`: title the question, summary its wordings, body the answer, publishedAt its last change);
 * it answers questions but is never listed, digested or quoted as an article.
 */
export interface SearchDoc {
  id: string;
  type: 'article' | 'program' | 'faq';
  title: string;
  summary: string;
  body: string;
  url?: string;
  publishedAt?: string;
  province?: string;
  source: string;
  /** What the item is: article/announcement, or the program kind. */
  kind?: ArticleKind | ProgramKind;
  /** Topic slugs given by the source (digest topics are derived when absent). */
  topics?: string[];
}

/** Vietnamese labels for program kinds, used in the searchable text of a program. */
const PROGRAM_KIND_LABEL: Record<ProgramKind, string> = {
  coordination: 'Chương trình phối hợp',
  campaign: 'Cuộc vận động',
  movement: 'Phong trào',
  fund: 'Quỹ',
};

/** Flatten an item into the searchable view. */
export function toSearchDoc(item: ContentItem): SearchDoc {
  if (item.type === 'article') {
    return {
      id: item.id,
      type: 'article',
      title: item.title,
      summary: item.summary ?? '',
      body: item.body,
      url: item.url,
      publishedAt: item.publishedAt,
      province: item.province,
      source: item.source,
      kind: item.kind,
      topics: item.topics,
    };
  }
  const lines = [
    `${PROGRAM_KIND_LABEL[item.kind]}: ${item.name}.`,
    item.parties.length > 0 ? `Các bên tham gia: ${item.parties.join(', ')}.` : '',
    item.period ? `Thời gian: ${item.period}.` : '',
    ...item.tasks.map((t) => (/[.!?]$/.test(t) ? t : `${t}.`)),
  ].filter(Boolean);
  return {
    id: item.id,
    type: 'program',
    title: item.name,
    summary: item.summary,
    body: lines.join('\n'),
    url: item.sourceUrl,
    province: item.province,
    source: item.source ?? 'data/programs.json',
    kind: item.kind,
  };
}
