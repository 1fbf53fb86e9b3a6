/* libFuzzer target: the server half of every STARTTLS dialogue, fed what a
 * hostile client might send (framing in fuzz_starttls.h). */
#include "fuzz_starttls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_stt_run(data, size, 1);
}
