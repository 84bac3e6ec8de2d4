/** Shares reported by the decomposition are bounded to [0, 1] or flagged (issue 17). */
import t from 'tap';
import { boundedShare } from '../analysis/decomposition.js';

t.test('boundedShare: inside [0, 1] unchanged, outside clipped and flagged, undefined total flagged', async (t) => {
  t.same(boundedShare(1, 4), { share: 0.25, raw: 0.25, flag: null });
  t.same(boundedShare(0, 4), { share: 0, raw: 0, flag: null });
  t.same(boundedShare(4, 4), { share: 1, raw: 1, flag: null });
  const neg = boundedShare(-1, 4);
  t.equal(neg.share, 0);
  t.equal(neg.raw, -0.25);
  t.match(neg.flag, /< 0/);
  const over = boundedShare(5, 4);
  t.equal(over.share, 1);
  t.equal(over.raw, 1.25);
  t.match(over.flag, /> 1/);
  for (const total of [0, -2]) {
    const u = boundedShare(1, total);
    t.ok(Number.isNaN(u.share), `total ${total}: share NaN`);
    t.match(u.flag, /undefined/);
  }
  // any inputs: the share is NaN or in [0, 1], and a flag accompanies every clip
  for (let i = 0; i < 200; i++) {
    const p = Math.sin(i) * 3;
    const tot = Math.cos(i * 1.7) * 2;
    const s = boundedShare(p, tot);
    t.ok(Number.isNaN(s.share) || (s.share >= 0 && s.share <= 1), `share ${s.share}`);
    if (s.share !== s.raw) t.ok(s.flag !== null, 'clipped ⇒ flagged');
  }
});
