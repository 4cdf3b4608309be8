# One message type for deps_smoke: encoded, decoded and compared.
@0xc4f1d5e2a3b60718;

struct SmokeEvent {
  seq @0 :UInt64;
  resource @1 :Text;
}
