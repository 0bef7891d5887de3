# Writes a C++ file that holds the text of IN as arca::http::OpenApiDocument().
file(READ ${IN} CONTENT)
set(DELIM "oapi")
file(WRITE ${OUT} "#include <string_view>\nnamespace arca::http {\nstd::string_view OpenApiDocument() {\n  static constexpr std::string_view kDoc = R\"${DELIM}(${CONTENT})${DELIM}\";\n  return kDoc;\n}\n}  // namespace arca::http\n")
