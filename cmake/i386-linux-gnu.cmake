# A 32-bit x86 build on a 64-bit Debian host (scripts/test.sh, build-m32/):
# a target without unsigned __int128, where libcrypto derives X25519 public
# keys instead of x25519_base.c. Needs gcc-multilib and libssl-dev:i386;
# the unit tests run through qemu-i386 (qemu-user), since a kernel may have
# no 32-bit support of its own.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_FLAGS_INIT -m32)
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)
set(OPENSSL_CRYPTO_LIBRARY /usr/lib/i386-linux-gnu/libcrypto.so CACHE FILEPATH "")
set(OPENSSL_SSL_LIBRARY /usr/lib/i386-linux-gnu/libssl.so CACHE FILEPATH "")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-i386)
