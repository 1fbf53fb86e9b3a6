/* trace_text_explain.c: --explain, the textbook's sentence for each step:
 * which of the handshake's three objectives (negotiate algorithms,
 * authenticate the server, agree on keys) it serves, and how. Distinct
 * texts for TLS 1.3, TLS 1.2 with ECDHE and TLS 1.2 with RSA key
 * transport. */
#include <string.h>
#include "trace_text_int.h"

int tt_kx(const trace_text *t)
{
    if (t->version == WARD_TLS13 || (!t->version && t->offered13))
        return 'x';
    const char *n = t->suite ? ward_trace_name(WARD_NAME_SUITE, t->suite) : NULL;
    if (n && strncmp(n, "TLS_RSA_", 8) == 0)
        return 'r';
    return 'e';
}

static const char *hello(const trace_text *t, const ward_trace_msg *m)
{
    if (m->type == 1 && t->offered13)
        return "Negotiate algorithms: the client proposes its versions, cipher suites, groups "
               "and signature schemes, with a fresh 32-byte random. Offering TLS 1.3, it "
               "already sends key shares, to agree on keys in one round trip.";
    if (m->type == 1)
        return "Negotiate algorithms: the client proposes TLS 1.2 with its cipher suites, "
               "curves and signature schemes, and a fresh 32-byte random; the suite the "
               "server picks decides how keys will be agreed (ECDHE or RSA transport).";
    if (m->hrr)
        return "Negotiate algorithms: none of the client's key shares suits the server, which "
               "names the group it wants; the client starts again with a second ClientHello.";
    if (tt_kx(t) == 'x' && m->psk_selected >= 0)
        return "All three at once: the server accepts the pre-shared key of an earlier "
               "session (only the server that made it knows it, which authenticates it), "
               "picks the suite and answers with its key share for fresh keys.";
    if (tt_kx(t) == 'x')
        return "Negotiate algorithms and agree on keys: the server picks the version and suite "
               "and answers with its own key share; both sides now compute the same (EC)DHE "
               "secret and derive the handshake keys that encrypt everything after this.";
    return "Negotiate algorithms: the server picks the version and cipher suite and sends its "
           "own 32-byte random; both randoms will be mixed into the keys, so neither side "
           "can replay an old handshake.";
}

static const char *certificate(const trace_text *t, const ward_trace_event *ev)
{
    if (!ev->from_server)
        return "Authenticate the client: it sends its own certificate chain, as the server "
               "asked.";
    if (tt_kx(t) == 'r')
        return "Authenticate the server: its certificate binds its name to an RSA public key, "
               "signed by a CA; the client will encrypt the premaster secret to that key.";
    return "Authenticate the server: its certificate chain binds the server's name to a "
           "public key, signed by a CA the client trusts. The chain alone proves nothing "
           "until the server shows it holds the private key.";
}

static const char *finished(const trace_text *t, const ward_trace_event *ev)
{
    int k = tt_kx(t);
    if (ev->from_server && k == 'r')
        return "Authenticate the server and agree on keys: a MAC of the whole handshake under "
               "the master secret. Only a server that decrypted the premaster secret can "
               "compute it: this is where RSA key transport authenticates the server.";
    if (ev->from_server)
        return "Agree on keys: a MAC of the whole transcript under the server's handshake "
               "secret; the client checks it, confirming both derived the same keys and saw "
               "the same messages.";
    if (k == 'x')
        return "Agree on keys: the client's MAC of the transcript confirms to the server that "
               "both sides hold the same keys; application data now flows under the "
               "application traffic keys.";
    return "Agree on keys: a MAC of every handshake message under the master secret, sent "
           "under the new keys; it proves the keys match and nothing was tampered with.";
}

static const char *twelve(const trace_text *t, const ward_trace_event *ev, const ward_trace_msg *m)
{
    switch (m->type) {
    case 12:
        return "Agree on keys and authenticate the server: an ephemeral ECDHE public key, "
               "signed together with both randoms by the certificate's key, which proves the "
               "server holds it and gives forward secrecy.";
    case 14:
        return "The server has said all it has to say; it now waits for the client's key "
               "exchange.";
    case 16:
        if (m->rsa_kx)
            return "Agree on keys: the client encrypts a 48-byte premaster secret with the "
                   "server's RSA key; only the holder of the private key can read it: this "
                   "authenticates the server and agrees on keys at once.";
        return "Agree on keys: the client's ephemeral ECDHE public key; both sides compute the "
               "premaster secret, then the master secret from it and the two randoms.";
    case 22:
        return "Authenticate the server: a stapled OCSP response says the certificate is not "
               "revoked.";
    }
    (void)t;
    (void)ev;
    return NULL;
}

const char *tt_explain_message(const trace_text *t, const ward_trace_event *ev,
                               const ward_trace_msg *m)
{
    switch (m->type) {
    case 1:
    case 2:
        return hello(t, m);
    case 8:
        return "Negotiate algorithms: the rest of the server's choices (ALPN, ...), already "
               "encrypted under the handshake keys so that onlookers cannot read them.";
    case 11:
        return certificate(t, ev);
    case 13:
        return "Authenticate the client: the server asks for a client certificate too "
               "(mutual TLS).";
    case 15:
        return ev->from_server
                   ? "Authenticate the server: it signs the transcript hash with its "
                     "certificate's private key, proving it holds that key and saw this very "
                     "handshake."
                   : "Authenticate the client: it signs the transcript with the key of the "
                     "certificate it sent.";
    case 20:
        return finished(t, ev);
    case 4:
        if (tt_kx(t) == 'x')
            return "Not one of the three: a ticket to resume later with a pre-shared key, "
                   "skipping the certificate and the signature next time.";
        return "Not one of the three: a ticket (RFC 5077) holding the session's master "
               "secret, sealed by the server, to resume later without a new key exchange.";
    case 5:
        return "Agree on keys: the client's last message under the early (0-RTT) keys; it "
               "switches to the handshake keys now.";
    case 24:
        return "Agree on keys: new traffic keys are derived from the current ones, so that "
               "old traffic stays safe if a key leaks later.";
    }
    return twelve(t, ev, m);
}

const char *tt_explain_other(const trace_text *t, const ward_trace_event *ev)
{
    switch (ev->kind) {
    case WARD_TRACE_CCS:
        if (tt_kx(t) == 'x')
            return "A ChangeCipherSpec that means nothing in TLS 1.3: sent only so that "
                   "middleboxes take it for a resumed TLS 1.2 handshake.";
        return "Agree on keys: from this record on, this side encrypts under the keys "
               "derived from the master secret.";
    case WARD_TRACE_VERIFY:
        return ev->ok ? "Authenticate the server: the chain leads to a trusted CA, is in its "
                        "validity period and names the host the client asked for."
                      : "Authenticate the server failed: the chain or the name does not "
                        "check out, so the handshake stops here.";
    case WARD_TRACE_ALERT:
        return ev->alert == WARD_ALERT_CLOSE_NOTIFY
                   ? "The connection is closed cleanly: nothing was cut off."
                   : "An alert ends the handshake: one of the three objectives could not be "
                     "met, and the reason says which.";
    default:
        return NULL;
    }
}
