#include "selftalk.h"

ward_err selftalk_move(ward_conn *from, ward_conn *to, size_t *moved)
{
    size_t len;
    const uint8_t *p = ward_conn_output(from, &len);
    *moved = len;
    if (len == 0)
        return WARD_OK;
    ward_err e = ward_conn_recv(to, p, len);
    ward_conn_output_done(from, len);
    return e;
}

ward_err selftalk_pump(ward_conn *client, ward_conn *server)
{
    ward_err first = WARD_OK;
    for (int rounds = 0; rounds < 64; rounds++) {
        size_t a, b;
        ward_err e1 = selftalk_move(client, server, &a);
        ward_err e2 = selftalk_move(server, client, &b);
        if (first == WARD_OK && e1 != WARD_OK && e1 != WARD_CLOSED)
            first = e1;
        if (first == WARD_OK && e2 != WARD_OK && e2 != WARD_CLOSED)
            first = e2;
        if (a == 0 && b == 0)
            break;
    }
    return first;
}
