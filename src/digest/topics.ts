import type { SearchDoc } from '../content/types.js';
import { foldText } from '../search/analyzer.js';

/** The fixed topic catalogue of the digest; labels are in copy/messages.ts (`topicLabels`). */
export const TOPIC_IDS = ['mat-tran', 'an-sinh', 'dai-doan-ket', 'giam-sat', 'phoi-hop', 'thong-bao'] as const;
export type TopicId = (typeof TOPIC_IDS)[number];

/** Folded phrases that put an item in a topic (title and summary are matched; the body is too noisy). */
const RULES: { topic: TopicId; phrases: string[] }[] = [
  {
    topic: 'an-sinh',
    phrases: [
      'vi nguoi ngheo',
      'an sinh',
      'ho ngheo',
      'giam ngheo',
      'nha dai doan ket',
      'nha o cho ho',
      'cuu tro',
      'ung ho dong bao',
      'bao tro',
      'tu thien',
      'tet vi nguoi ngheo',
    ],
  },
  {
    topic: 'giam-sat',
    phrases: ['giam sat', 'phan bien', 'gop y xay dung', 'tiep xuc cu tri', 'khieu nai', 'to cao', 'ban thanh tra nhan dan', 'dau tu cua cong dong'],
  },
  { topic: 'phoi-hop', phrases: ['chuong trinh phoi hop', 'quy che phoi hop', 'ky ket phoi hop', 'phoi hop thong nhat hanh dong', 'ky ket chuong trinh'] },
  {
    topic: 'dai-doan-ket',
    phrases: ['dai doan ket', 'ngay hoi', 'khu dan cu', 'dong bao dan toc', 'ton giao', 'kieu bao', 'nguoi viet nam o nuoc ngoai', 'hoa giai'],
  },
];

/**
 * The topics of an item: announcements are "Thông báo", coordination programs "Chương trình phối hợp",
 * campaigns and funds "An sinh", then keyword rules; anything else is "Hoạt động Mặt trận".
 * Explicit topics on the item (when the source set them and they are known ids) come first.
 */
export function topicsOf(doc: Pick<SearchDoc, 'type' | 'title' | 'summary'> & { kind?: string; topics?: string[] }): TopicId[] {
  const out = new Set<TopicId>();
  for (const t of doc.topics ?? []) if ((TOPIC_IDS as readonly string[]).includes(t)) out.add(t as TopicId);
  if (doc.kind === 'announcement') out.add('thong-bao');
  // Spaces around, so that a phrase is matched as whole words.
  const text = ` ${foldText(`${doc.title} ${doc.summary}`)} `;
  if (doc.type === 'program' && /chuong trinh phoi hop|quy che phoi hop/.test(text)) out.add('phoi-hop');
  for (const rule of RULES) if (rule.phrases.some((p) => text.includes(` ${p} `))) out.add(rule.topic);
  if (out.size === 0) out.add('mat-tran');
  return TOPIC_IDS.filter((t) => out.has(t));
}
