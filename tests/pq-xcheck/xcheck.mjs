// ward's ML-KEM (FIPS 203) against @noble/post-quantum, an independent
// implementation of the final standard, for ML-KEM-768 and ML-KEM-1024:
// key generation from seeds (d, z), encapsulation with a fixed m, and
// decapsulation of the good ciphertext and of one with a bit flipped
// (implicit rejection). Reads mlkem_vectors' lines on stdin (see
// mlkem_vectors.c for the format); exits 1 on the first difference, or
// when the input is short. Run by run.sh.
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { createInterface } from 'node:readline';

const KEMS = { 768: ml_kem768, 1024: ml_kem1024 };
const want = Number(process.argv[2]); // cases per set
const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));

function fail(msg) {
  console.error(`xcheck: FAIL: ${msg}`);
  process.exit(1);
}

function same(set, i, what, ours, theirs) {
  if (hex(ours) !== hex(theirs))
    fail(`ML-KEM-${set} case ${i}: ${what} differs\n  ward:  ${hex(ours).slice(0, 64)}...\n  noble: ${hex(theirs).slice(0, 64)}...`);
}

const seen = { 768: 0, 1024: 0 };
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line) continue;
  const f = line.split(' ');
  if (f.length !== 10 || !(f[0] in KEMS)) fail(`bad input line: ${line.slice(0, 80)}`);
  const set = f[0], kem = KEMS[set], i = seen[set]++;
  const [d, z, m, ek, dk, ct, ss, bad, rej] = f.slice(1).map(bytes);

  const seed = new Uint8Array(64);
  seed.set(d, 0);
  seed.set(z, 32);
  const keys = kem.keygen(seed);
  same(set, i, 'ek (KeyGen from d, z)', ek, keys.publicKey);
  same(set, i, 'dk (KeyGen from d, z)', dk, keys.secretKey);

  const enc = kem.encapsulate(keys.publicKey, m);
  same(set, i, 'ct (Encaps with m)', ct, enc.cipherText);
  same(set, i, 'shared secret (Encaps)', ss, enc.sharedSecret);
  same(set, i, 'shared secret (Decaps of ward\'s ct)', ss, kem.decapsulate(ct, keys.secretKey));
  same(set, i, 'implicit rejection (Decaps of a corrupted ct)', rej, kem.decapsulate(bad, keys.secretKey));
  if (hex(rej) === hex(ss)) fail(`ML-KEM-${set} case ${i}: the corrupted ciphertext was accepted`);
}
for (const set of Object.keys(seen))
  if (seen[set] !== want) fail(`ML-KEM-${set}: ${seen[set]} cases read, ${want} expected`);
console.log(`xcheck: ML-KEM-768 and ML-KEM-1024 agree with @noble/post-quantum on ${want} cases each (keygen, encaps, decaps, implicit rejection)`);
