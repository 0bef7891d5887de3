// The one translation unit that compiles Asio and Beast (separate compilation
// keeps the other files of http/ fast to build).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
