/* libFuzzer target: a ward server driven by fuzzed client bytes.
 * Input: variant byte, then u16-length-framed chunks (fuzz_common.h). */
#include "fuzz_common.h"

static ward_config *cfgs[FZ_SERVER_VARIANTS];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (unsigned v = 0; v < FZ_SERVER_VARIANTS; v++)
        cfgs[v] = fz_server_config(v);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ward_conn *c = fz_conn_new(cfgs[data[0] % FZ_SERVER_VARIANTS], NULL);
    if (!c)
        return 0;
    fz_drive(c, data + 1, size - 1);
    ward_conn_free(c);
    return 0;
}
