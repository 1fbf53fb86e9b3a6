/* The fixed keys fuzz_record_open opens records with (shared with the
 * corpus generator, which seals seeds under the same keys). */
#ifndef WARD_FUZZ_RECORD_KEYS_H
#define WARD_FUZZ_RECORD_KEYS_H

#include <string.h>

#include "record/record.h"

/* Modes (first input byte modulo FZ_REC_MODES). */
enum {
    FZ_REC_PLAIN = 0,
    FZ_REC_13_AES128,
    FZ_REC_13_AES256,
    FZ_REC_13_CHACHA,
    FZ_REC_12_AES128,
    FZ_REC_12_AES256,
    FZ_REC_12_CHACHA,
    FZ_REC_MODES
};

static const uint8_t fz_rec_secret[48] = "ward fuzz record-layer traffic secret, 48 bytes";
static const uint8_t fz_rec_key12[32] = "ward fuzz tls1.2 record key 32b";
static const uint8_t fz_rec_iv12[12] = "ward iv 12b";

/* Set d up for mode, as the sending (encrypt 1) or receiving side. */
static __attribute__((unused)) int fz_rec_setup(rec_dir *d, unsigned mode, int encrypt)
{
    rec_dir_init(d);
    wres r = wres_ok();
    switch (mode % FZ_REC_MODES) {
    case FZ_REC_13_AES128:
        r = rec_dir_install(d, AEAD_AES_128_GCM, HASH_SHA256, fz_rec_secret, encrypt);
        break;
    case FZ_REC_13_AES256:
        r = rec_dir_install(d, AEAD_AES_256_GCM, HASH_SHA384, fz_rec_secret, encrypt);
        break;
    case FZ_REC_13_CHACHA:
        r = rec_dir_install(d, AEAD_CHACHA20_POLY1305, HASH_SHA256, fz_rec_secret, encrypt);
        break;
    case FZ_REC_12_AES128:
        r = rec_dir_install12(d, AEAD_AES_128_GCM, fz_rec_key12, fz_rec_iv12, encrypt);
        break;
    case FZ_REC_12_AES256:
        r = rec_dir_install12(d, AEAD_AES_256_GCM, fz_rec_key12, fz_rec_iv12, encrypt);
        break;
    case FZ_REC_12_CHACHA:
        r = rec_dir_install12(d, AEAD_CHACHA20_POLY1305, fz_rec_key12, fz_rec_iv12, encrypt);
        break;
    default: break;
    }
    return wres_is_ok(r);
}

#endif
