// The atoms that name the actors' messages. CAF 0.17 atoms hold at most 10 characters.
#pragma once

#include <caf/atom.hpp>

namespace ordo::actors {

using load_atom = caf::atom_constant<caf::atom("load")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using idem_atom = caf::atom_constant<caf::atom("idem")>;
using member_atom = caf::atom_constant<caf::atom("member")>;
using session_atom = caf::atom_constant<caf::atom("session")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using put_atom = caf::atom_constant<caf::atom("put")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;

using authorize_atom = caf::atom_constant<caf::atom("authorize")>;
using void_atom = caf::atom_constant<caf::atom("void")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;

using order_atom = caf::atom_constant<caf::atom("order")>;
using request_atom = caf::atom_constant<caf::atom("request")>;
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;
using park_atom = caf::atom_constant<caf::atom("park")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using crashed_atom = caf::atom_constant<caf::atom("crashed")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using resident_atom = caf::atom_constant<caf::atom("resident")>;
using push_atom = caf::atom_constant<caf::atom("push")>;
using tag_atom = caf::atom_constant<caf::atom("tag")>;

} // namespace ordo::actors
