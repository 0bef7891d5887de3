// The JSON messages of CONTRACT §4. Every adapter of the EventBus port carries
// these bytes unchanged, so the embedded queue and Kafka are interchangeable.
#pragma once

#include <string>

#include "core/file_record.hpp"
#include "core/status.hpp"

namespace arca {

inline constexpr int kEventVersion = 1;

struct Topics {
  std::string uploaded = "arquivos-enviados";
  std::string delete_requested = "arquivos-para-deletar";
  std::string rename_requested = "renomear-arquivo";
  std::string processed = "arquivos-processados";
  static std::string Dlq(const std::string& topic) { return topic + ".dlq"; }
};

struct EventHeader {
  std::string event_id;
  std::string type;
  int version = kEventVersion;
  std::string file_id;
  Micros occurred_at = 0;
  std::string request_id;
};

// file.uploaded carries the whole record the metadata writer will insert.
struct FileUploaded {
  EventHeader header;
  FileRecord file;
};

// file.delete_requested: the deleter removes the object, then the row.
struct DeleteRequested {
  EventHeader header;
  std::string user_id;
  std::string bucket;
  std::string object_key;
};

// file.rename_requested (named layout): the renamer copies the object to
// `new_key`, points the row at it with the new name and folder, then
// removes the old object. `old_key` is where the file was when asked.
struct RenameRequested {
  EventHeader header;
  std::string user_id;
  std::string bucket;
  std::string old_key;
  std::string new_key;
  std::string name;
  std::string folder;
};

std::string ToJson(const FileUploaded& e);
std::string ToJson(const DeleteRequested& e);
std::string ToJson(const RenameRequested& e);
// Parse failures are InvalidArgument with code "poison_message": no retry can fix them.
Result<FileUploaded> ParseFileUploaded(std::string_view json);
Result<DeleteRequested> ParseDeleteRequested(std::string_view json);
Result<RenameRequested> ParseRenameRequested(std::string_view json);

// Adds "error" and "attempts" to a message on its way to a dead-letter topic.
std::string WithDeadLetterInfo(std::string_view json, const std::string& error, int attempts);

}  // namespace arca
