#include "server/offload.h"

namespace switchyard {

net::thread_pool& blocking_pool() {
  static net::thread_pool pool(2);
  return pool;
}

net::thread_pool& governance_pool() {
  static net::thread_pool pool(2);
  return pool;
}

}  // namespace switchyard
