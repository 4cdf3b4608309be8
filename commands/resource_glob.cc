// Glob matching with backtracking over the last `*` only (linear in practice).
#include "commands/resource_glob.h"

namespace tidemark::commands {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool GlobMatches(std::string_view glob, std::string_view text) {
  size_t g = 0, t = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
    } else if (g < glob.size() && (glob[g] == '?' || Lower(glob[g]) == Lower(text[t]))) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Result<std::vector<MatchedResource>> MatchResources(const store::EventLog& log, std::string_view pattern) {
  TM_ASSIGN_OR_RETURN(auto ids, log.ResourceIdentities());
  std::vector<MatchedResource> matches;
  for (const auto& id : ids) {
    TM_ASSIGN_OR_RETURN(auto seqs, log.SeqsForResource(id));
    std::string display = id;
    if (!seqs.empty()) {
      auto first = log.Get(seqs.front());
      if (first.ok() && first->event.GetResource()) display = first->event.GetResource()->Display();
    }
    if (GlobMatches(pattern, id) || GlobMatches(pattern, display)) {
      matches.push_back({id, display, std::move(seqs)});
    }
  }
  return matches;
}

}  // namespace tidemark::commands
