// Names, folders, extensions, download headers and tags as users give them.
#include "core/names.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace arca {
namespace {

using Tags = std::vector<std::string>;

// ---- ValidateFileName --------------------------------------------------------

TEST(CoreNames, FileNameWithSpacesAccentsAndParenthesesIsAccepted) {
  EXPECT_TRUE(ValidateFileName("relatório final (2).pdf").ok());
  EXPECT_TRUE(ValidateFileName("日本語のファイル 😀.txt").ok());
  EXPECT_TRUE(ValidateFileName(".bashrc").ok());
  EXPECT_TRUE(ValidateFileName("a").ok());
  EXPECT_TRUE(ValidateFileName("back\\slash \"quoted\" 100%.txt").ok());
}

TEST(CoreNames, EmptyFileNameIsRejected) {
  Status st = ValidateFileName("");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(st.code(), "invalid_name");
}

TEST(CoreNames, FileNameWithSlashIsRejected) {
  EXPECT_EQ(ValidateFileName("a/b").code(), "invalid_name");
  EXPECT_FALSE(ValidateFileName("/").ok());
  EXPECT_FALSE(ValidateFileName("trailing/").ok());
}

TEST(CoreNames, FileNameWithControlCharactersIsRejected) {
  for (const std::string& s : {std::string("a\nb"), std::string("a\tb"), std::string("a\rb"), std::string("a\x7f"),
                               std::string("a\x1b[31m"), std::string("a\0b", 3)})
    EXPECT_EQ(ValidateFileName(s).code(), "invalid_name") << s;
}

TEST(CoreNames, FileNameThatIsNotUtf8IsRejected) {
  EXPECT_EQ(ValidateFileName("relat\xf3rio.pdf").code(), "invalid_name");  // Latin-1 'ó'
  EXPECT_FALSE(ValidateFileName("\xc0\xaf").ok());
  EXPECT_FALSE(ValidateFileName("x\xed\xa0\x80").ok());
}

TEST(CoreNames, FileNameOf255BytesIsAcceptedAnd256Rejected) {
  EXPECT_TRUE(ValidateFileName(std::string(255, 'a')).ok());
  EXPECT_EQ(ValidateFileName(std::string(256, 'a')).code(), "invalid_name");
  // The limit is in bytes: 128 two-byte characters are 256 bytes.
  std::string accents;
  for (int i = 0; i < 128; ++i) accents += "ó";
  EXPECT_FALSE(ValidateFileName(accents).ok());
}

TEST(CoreNames, DotAndDotDotAreNotFileNames) {
  EXPECT_FALSE(ValidateFileName(".").ok());
  EXPECT_FALSE(ValidateFileName("..").ok());
  EXPECT_TRUE(ValidateFileName("...").ok());
}

// ---- NormalizeFolder ---------------------------------------------------------

TEST(CoreNames, FolderLosesOuterSlashes) {
  EXPECT_EQ(NormalizeFolder("/a/b/").value(), "a/b");
  EXPECT_EQ(NormalizeFolder("///a///").value(), "a");
  EXPECT_EQ(NormalizeFolder("a/b").value(), "a/b");
}

TEST(CoreNames, FolderEmptyOrSlashIsTheRoot) {
  EXPECT_EQ(NormalizeFolder("").value(), "");
  EXPECT_EQ(NormalizeFolder("/").value(), "");
  EXPECT_EQ(NormalizeFolder("//").value(), "");
}

TEST(CoreNames, FolderKeepsAccentsAndSpaces) {
  EXPECT_EQ(NormalizeFolder("/relatórios 2026/março/").value(), "relatórios 2026/março");
}

TEST(CoreNames, FolderWithEmptySegmentIsRejected) {
  auto r = NormalizeFolder("a//b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.status().code(), "invalid_folder");
}

TEST(CoreNames, FolderCannotClimbOrPointAtItself) {
  for (const char* s : {"..", "/../", "a/../b", "a/..", "../a", ".", "a/./b"}) {
    auto r = NormalizeFolder(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.status().code(), "invalid_folder") << s;
  }
}

TEST(CoreNames, FolderSegmentsFollowFileNameRules) {
  EXPECT_FALSE(NormalizeFolder("a/b\nc").ok());
  EXPECT_FALSE(NormalizeFolder("a/\xff").ok());
  EXPECT_FALSE(NormalizeFolder("a/" + std::string(256, 'x')).ok());
}

TEST(CoreNames, FolderLongerThan1024BytesIsRejected) {
  std::string seg(100, 'x');
  std::string ok_folder;
  while (ok_folder.size() + seg.size() + 1 <= 1024) ok_folder += (ok_folder.empty() ? "" : "/") + seg;
  EXPECT_TRUE(NormalizeFolder(ok_folder).ok());
  std::string too_long = ok_folder + "/" + seg;
  ASSERT_GT(too_long.size(), 1024u);
  EXPECT_EQ(NormalizeFolder(too_long).status().code(), "invalid_folder");
}

// ---- ExtensionOf -------------------------------------------------------------

TEST(CoreNames, ExtensionIsLowercased) {
  EXPECT_EQ(ExtensionOf("Report.PDF"), "pdf");
  EXPECT_EQ(ExtensionOf("photo.JpEg"), "jpeg");
}

TEST(CoreNames, ExtensionIsAfterTheLastDot) {
  EXPECT_EQ(ExtensionOf("archive.tar.gz"), "gz");
  EXPECT_EQ(ExtensionOf("relatório final (2).pdf"), "pdf");
  EXPECT_EQ(ExtensionOf(".config.json"), "json");
}

TEST(CoreNames, DotfilesAndTrailingDotsHaveNoExtension) {
  EXPECT_EQ(ExtensionOf(".bashrc"), "");
  EXPECT_EQ(ExtensionOf("a."), "");
  EXPECT_EQ(ExtensionOf("README"), "");
  EXPECT_EQ(ExtensionOf(""), "");
}

TEST(CoreNames, ExtensionLongerThan16IsIgnored) {
  EXPECT_EQ(ExtensionOf("x." + std::string(16, 'a')), std::string(16, 'a'));
  EXPECT_EQ(ExtensionOf("x." + std::string(17, 'a')), "");
}

// ---- ContentDispositionAttachment --------------------------------------------

TEST(CoreNames, ContentDispositionKeepsAccentsInFilenameStar) {
  EXPECT_EQ(ContentDispositionAttachment("relatório final.pdf"),
            "attachment; filename=\"relat_rio final.pdf\"; filename*=UTF-8''relat%C3%B3rio%20final.pdf");
}

TEST(CoreNames, ContentDispositionPlainAsciiNameIsKeptInFallback) {
  EXPECT_EQ(ContentDispositionAttachment("report-2026_v1.pdf"),
            "attachment; filename=\"report-2026_v1.pdf\"; filename*=UTF-8''report-2026_v1.pdf");
}

TEST(CoreNames, ContentDispositionFallbackReplacesQuotesBackslashAndPercent) {
  EXPECT_EQ(ContentDispositionAttachment("a\"b\\c%d.txt"),
            "attachment; filename=\"a_b_c_d.txt\"; filename*=UTF-8''a%22b%5Cc%25d.txt");
}

TEST(CoreNames, ContentDispositionFallbackHasOneUnderscorePerNonAsciiCharacter) {
  // Two-, three- and four-byte characters each become a single '_'.
  EXPECT_EQ(ContentDispositionAttachment("ção 日本 😀.png"),
            "attachment; filename=\"__o __ _.png\"; "
            "filename*=UTF-8''%C3%A7%C3%A3o%20%E6%97%A5%E6%9C%AC%20%F0%9F%98%80.png");
}

TEST(CoreNames, ContentDispositionFallbackReplacesControlCharacters) {
  EXPECT_EQ(ContentDispositionAttachment("a\tb\x7f"), "attachment; filename=\"a_b_\"; filename*=UTF-8''a%09b%7F");
}

TEST(CoreNames, ContentDispositionHeaderCannotBeSplitByTheName) {
  std::string h = ContentDispositionAttachment("evil\r\nSet-Cookie: x=1; \"q\".txt");
  EXPECT_EQ(h.find('\r'), std::string::npos);
  EXPECT_EQ(h.find('\n'), std::string::npos);
  // Exactly the two quotes around the fallback.
  size_t quotes = 0;
  for (char c : h) quotes += c == '"';
  EXPECT_EQ(quotes, 2u);
}

TEST(CoreNames, ContentDispositionEmptyNameFallsBackToDownload) {
  EXPECT_EQ(ContentDispositionAttachment(""), "attachment; filename=\"download\"; filename*=UTF-8''");
}

// ---- tags ---------------------------------------------------------------------

TEST(CoreNames, TagsAreTrimmedAndDeduplicatedInFirstSeenOrder) {
  auto r = NormalizeTags({" finance ", "2026", "\tfinance", "relatório", "2026 "});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, (Tags{"finance", "2026", "relatório"}));
}

TEST(CoreNames, BlankTagsAreDropped) {
  auto r = NormalizeTags({"", "  ", "\t", "x"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Tags{"x"}));
  auto none = NormalizeTags({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(CoreNames, TagsKeepInnerSpacesAndCase) {
  auto r = NormalizeTags({"Q1 Report", "q1 report"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Tags{"Q1 Report", "q1 report"}));
}

TEST(CoreNames, TagWithCommaIsRejected) {
  auto r = NormalizeTags({"a,b"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.status().code(), "invalid_tags");
}

TEST(CoreNames, TagWithControlCharacterOrBadUtf8IsRejected) {
  EXPECT_EQ(NormalizeTags({"a\nb"}).status().code(), "invalid_tags");
  EXPECT_EQ(NormalizeTags({"\xc3"}).status().code(), "invalid_tags");
}

TEST(CoreNames, TagOf64BytesIsAcceptedAnd65Rejected) {
  EXPECT_TRUE(NormalizeTags({std::string(64, 't')}).ok());
  EXPECT_EQ(NormalizeTags({std::string(65, 't')}).status().code(), "invalid_tags");
  // Length is measured after trimming.
  EXPECT_TRUE(NormalizeTags({"  " + std::string(64, 't') + "  "}).ok());
}

TEST(CoreNames, AtMostFiftyDistinctTags) {
  Tags fifty, fifty_one;
  for (int i = 0; i < 50; ++i) fifty.push_back("t" + std::to_string(i));
  fifty_one = fifty;
  fifty_one.push_back("t50");
  EXPECT_TRUE(NormalizeTags(fifty).ok());
  EXPECT_EQ(NormalizeTags(fifty_one).status().code(), "invalid_tags");
  // Duplicates do not count against the limit.
  Tags with_dups = fifty;
  with_dups.insert(with_dups.end(), fifty.begin(), fifty.end());
  EXPECT_TRUE(NormalizeTags(with_dups).ok());
}

TEST(CoreNames, SplitTagsCutsAtEveryComma) {
  EXPECT_EQ(SplitTags("a,b, c"), (Tags{"a", "b", " c"}));
  EXPECT_EQ(SplitTags("solo"), (Tags{"solo"}));
  EXPECT_EQ(SplitTags("a,,b,"), (Tags{"a", "", "b", ""}));
}

TEST(CoreNames, CommaSeparatedTagsFieldNormalizesToCleanList) {
  auto r = NormalizeTags(SplitTags(" finance , relatório,,finance, 2026 "));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Tags{"finance", "relatório", "2026"}));
  auto empty = NormalizeTags(SplitTags(""));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace arca
