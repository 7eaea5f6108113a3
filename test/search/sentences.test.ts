import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/search/sentences.js';

describe('splitSentences', () => {
  it('splits after . ! ? … before a capital or a number, and keeps "TP. Hồ Chí Minh" whole', () => {
    expect(splitSentences('Sáng 5/1, hội nghị khai mạc tại TP. Hồ Chí Minh. 300 đại biểu dự. Ai chủ trì? Ông An.')).toEqual([
      'Sáng 5/1, hội nghị khai mạc tại TP. Hồ Chí Minh.',
      '300 đại biểu dự.',
      'Ai chủ trì?',
      'Ông An.',
    ]);
  });

  it('reads an ellipsis before a number as a pause, not the end of the sentence', () => {
    expect(splitSentences('UBND TP đã bán 666m2 đất với giá chỉ ... 1,9 tỉ đồng . Người dân phản đối … Rồi khiếu nại.')).toEqual([
      'UBND TP đã bán 666m2 đất với giá chỉ ... 1,9 tỉ đồng .',
      'Người dân phản đối …',
      'Rồi khiếu nại.',
    ]);
  });
});
