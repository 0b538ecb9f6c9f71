"""Chinese text processing with no database: jieba loading (`segment`), word cuts with parts of
speech (`postag`), sentence splitting (`sentences`), opening credits and datelines
(`datelines`), stop words, the TextRank graph and PageRank (`textrank`), and the two summary
modes (`summarizer`: `news` built from `news` for sentences and `keywords` + `specificity` for
keywords; `textrank4zh` in `reference`).

    from bot.nlp.summarizer import Options, summarize
    result = summarize(paragraphs, Options(stopwords=load_stopwords()), title, byline=byline)
    result.sentences, result.keywords, result.evidence

Pure functions over text: the corpus stage stores what they return, and hands corpus statistics
back in as plain data (`specificity.CorpusStats`).
"""
