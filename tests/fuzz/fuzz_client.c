/* libFuzzer target: a ward client driven by fuzzed server bytes. The
 * client's ClientHello is fixed (fuzz_common.h), so recorded server
 * flights replay; verification is off so the fuzzer reaches
 * CertificateVerify, Finished and the traffic after them.
 * Input: variant byte, then u16-length-framed chunks. */
#include "fuzz_common.h"

static ward_config *cfgs[FZ_CLIENT_VARIANTS];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (unsigned v = 0; v < FZ_CLIENT_VARIANTS; v++)
        cfgs[v] = fz_client_config(v);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ward_conn *c = fz_conn_new(cfgs[data[0] % FZ_CLIENT_VARIANTS], "localhost");
    if (!c)
        return 0;
    fz_drive(c, data + 1, size - 1);
    ward_conn_free(c);
    return 0;
}
