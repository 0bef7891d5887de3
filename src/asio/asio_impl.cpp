// The one translation unit that compiles Asio, Beast and Asio's TLS support
// (separate compilation keeps every other file that uses them fast to build).
// Used by http/ (the server) and adapters/s3/ (the S3 client).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
