/* The bounds-checked reader and writer. */
#include <string.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "testutil.h"

static void reader_blocks(void)
{
    const uint8_t in[] = {0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x01};
    rd r = rd_of(in, sizeof in), sub;
    uint8_t b;
    CHECK_OK(rd_block16(&r, &sub));
    CHECK(rd_left(&sub) == 3);
    CHECK_OK(rd_u8(&sub, &b));
    CHECK(b == 0xaa);
    CHECK_CODE(rd_expect_end(&sub).code, WARD_ERR_DECODE);
    CHECK_OK(rd_u8(&r, &b));
    CHECK_OK(rd_expect_end(&r));
    CHECK_CODE(rd_u8(&r, &b).code, WARD_ERR_DECODE);
}

static void reader_overlong_block(void)
{
    const uint8_t in[] = {0x00, 0x05, 0xaa};
    rd r = rd_of(in, sizeof in), sub;
    CHECK_CODE(rd_block16(&r, &sub).code, WARD_ERR_DECODE);
    const uint8_t in24[] = {0xff, 0xff, 0xff};
    r = rd_of(in24, sizeof in24);
    CHECK_CODE(rd_block24(&r, &sub).code, WARD_ERR_DECODE);
}

static void writer_blocks(void)
{
    uint8_t buf[16];
    wr w = wr_of(buf, sizeof buf);
    wr_block b = wr_open(&w, 2);
    wr_u8(&w, 1);
    wr_u16(&w, 0x0203);
    CHECK_OK(wr_close(&w, b));
    const uint8_t want[] = {0x00, 0x03, 0x01, 0x02, 0x03};
    CHECK(w.len == sizeof want);
    CHECK_MEM(buf, want, sizeof want);

    wr small = wr_of(buf, 2);
    wr_u24(&small, 1);
    CHECK_CODE(wr_status(&small).code, WARD_ERR_INTERNAL);

    uint8_t big[300];
    wr w8 = wr_of(big, sizeof big);
    wr_block b8 = wr_open(&w8, 1);
    wr_zeros(&w8, 256);
    CHECK_CODE(wr_close(&w8, b8).code, WARD_ERR_INTERNAL);
}

static void ct_equal(void)
{
    uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
    CHECK(ward_ct_equal(a, b, 4) == 1);
    b[3] = 5;
    CHECK(ward_ct_equal(a, b, 4) == 0);
    ward_zeroize(a, 4);
    CHECK(a[0] == 0 && a[3] == 0);
}

int main(void)
{
    reader_blocks();
    reader_overlong_block();
    writer_blocks();
    ct_equal();
    return test_report();
}
