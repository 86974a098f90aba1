// Package synth generates synthetic, deterministic pairs of agency files
// on children, with the truth about which records match, for measuring
// linkage quality (precision and recall of match keys and record linking)
// and for demonstrations.
//
// Everything here is made up. No record describes a real person: names
// are drawn independently from hand-written pools of common names, and
// birth dates, document numbers and addresses are random. A resemblance to
// a real child is a coincidence of common names.
//
// The data is meant to be honest: the differences between two records of
// one child are those that real cross-border records show, at rates chosen
// to resemble them, not ones chosen to be easy for this library's
// normalizer (which was not consulted; its tables and this package's were
// written separately). Quality figures measured on it are only as good as
// the rates below, so they are listed in full.
//
// # The two files
//
// File A stands for the origin side: each record is written as the
// child's country of origin writes it (its script, its romanization, its
// naming customs). File B stands for a destination country's police: Latin
// script only, names copied from documents or taken down by ear. Generate
// makes Config.Children children with a record in both files (the true
// pairs, Dataset.Truth), Config.OnlyA and Config.OnlyB children with a
// record in one file only, and lists the confounders: pairs of records on
// different children, one in each file, that a naive matcher could link.
// No child has two records in one file. IDs are opaque (A-000123,
// B-07731); A is shuffled and numbered in file order, B's numbers are
// random, so neither file's order says anything about matches.
//
// WriteCSV writes either file in the record CSV contract (all 13 columns;
// match.ReadCSV reads it back, in strict mode, as the same records);
// WriteTruthCSV writes the true pairs as a_id,b_id.
//
// # Population
//
// Children are born 2008 to 2025 (aged 0 to 17), boys and girls equally.
// Origins, per thousand children: Ukrainian 180, Arab (Syria 70%, Iraq
// 30%) 170, Romanian 100, Russian 80, Vietnamese 70, Somali 70, Eritrean
// 70, Spanish 60, Greek 50, German 50, French 50, Dutch 50. Each origin has
// 30 to 40 given names per sex and 30 to 40 family names (Somali and
// Eritrean family names come from the male given names), in the native
// script and spelling (Ukrainian with і ї є ґ; Greek with accents and
// gendered family names, Παπαδόπουλος and Παπαδοπούλου; Arabic family
// names with the article, الحسن; Vietnamese and Romanian diacritics).
// Earlier names in a pool are drawn more often (weight 1/(rank+8)), and a
// few are boosted as in real populations: Muhammad (about 17% of Arab
// boys), Nguyễn (about 40% of Vietnamese). Names follow each culture:
// Russian family names and Ukrainian adjectival ones inflect for girls;
// Ukrainian and Russian children have a patronymic derived from the
// father's name; Vietnamese names are family, middle (Văn, Thị, …), given;
// Spanish children carry the father's and the mother's first family names;
// a Somali or Eritrean child's "family name" is the father's and
// grandfather's given names; Romanian, German, French, Dutch and Spanish
// children sometimes have a second given name (40%, 35%, 30%, 30%, 15%).
// Parents' names agree: the father carries the child's family name (or is
// its first part), the mother hers or her husband's as custom allows. The
// birth place is a city of the origin country, from 7 to 17 per country.
// 45% of children have an identity document, whose number is in the
// country's format (the Spanish DNI with its check letter).
//
// # Variations
//
// For each true pair every variation is drawn independently, with its own
// rate, from the pairs where it is possible (its eligible pairs), and
// applied to B's record unless said otherwise. The defaults
// (DefaultConfig) are:
//
//	variation       default  eligible pairs, and what happens
//	script          0.80     Cyrillic/Greek/Arabic origins: A writes the native script (else the official romanization)
//	orthography     0.25     Somali: A writes Somali orthography (Maxamed Cabdi), B English spelling (Mohamed Abdi)
//	patronymic      0.50     Ukrainian/Russian: A's given names end with the patronymic; B never has it
//	cedilla         0.20     Romanian names with ș ț: A writes ş ţ (legacy encoding)
//	translit        0.35     B writes another romanization than the passport's: for Ukrainian BGN (Serhiy,
//	                         Yuliya), Russian reading (Sergiy, Ganna), German (Serhij, Schewtschenko) or
//	                         French (Ioulia, Chevtchenko), weighted 3:2:1:1; for Russian BGN (Dmitriy), popular
//	                         English (Dmitry, Artyom), German (Dmitrij, Iwanow), French (Dmitri, Kouznetsov),
//	                         3:3:1:1; for Greek phonetic (Hristos, Yorgos) or BGN (Khristos), 2:1; for Arabic,
//	                         Somali and Tigrinya names another hand-written spelling (Mohammed, Mohamed,
//	                         Mohamad…) and for Arabic family names another article form (Al Hassan,
//	                         Alhassan, El-Hassan, Hassan, Ash-Shami); German umlauts expanded (Mueller);
//	                         Dutch and Spanish particles written otherwise (Vandenberg, De la Fuente)
//	name_form       0.05     the given name has another language's form: B uses it (Aleksandr or Alexander
//	                         for Oleksandr, Giorgos for Georgios, Eugene for Yevgeniy)
//	diacritics      0.60     Latin-script names with diacritics: B drops them (Stefan, Nguyen, Muller)
//	case            0.30     B writes the family name in capitals
//	swap_fields     0.04     B swaps given and family names
//	family_first    0.03     B writes "Family Given" in one field, the other empty
//	drop_middle     0.30     two given names (or Vietnamese middle and given): B keeps only the first
//	                         (Vietnamese: the given name)
//	drop_surname    0.30     two family names: B keeps the first
//	typo            0.08     one edit (substitution, deletion, insertion, transposition; never the first
//	                         letter) in one token of the given or family name; a quarter of them in A
//	date_swap       0.05     day 1-12 and not equal to the month: B swaps day and month
//	year_only       0.06     B has only the birth year (an estimated age) ...
//	year_off        0.30     ... and of those, the year is one off
//	date_missing    0.03     B has no birth date
//	place_missing   0.35     B has no birth place
//	place_variant   0.30     B spells the birth place otherwise (Kiev, Kiew; Halab; Salonica)
//	sex_missing     0.05     B has no sex
//	false_identity  0.02     B holds the child under a false name and a birth date 1-4 years earlier, with no
//	                         parents and half the time a false birth place; the real name is only an alias
//	nickname_alias  0.10     the given name has a nickname: B adds "Nickname Family" to the aliases (Sasha
//	                         Kovalenko); the main name is unchanged
//	doc_format      0.20     both records carry the document number: B spaces, hyphenates or lower-cases it
//	doc_typo        0.05     both records carry the document number: B has one character wrong
//
// Besides these, always: B writes every name in Latin script; B writes the
// birth place in its usual English or ASCII form where A writes the native
// one (Thành phố Hồ Chí Minh, Ho Chi Minh City); A writes the nationality
// as ISO alpha-2, B leaves it out 10% of the time and otherwise uses
// alpha-3 half the time; A names the father 75% and the mother 85% of the
// time, B 35% and 45% (many children arrive alone); A writes 40% of
// Ukrainian and Russian parents family name first with their patronymic;
// A has a home-country address on 50% of records, B a current one in a
// destination city on 60% (the two never agree); each file carries the
// document number on 65% of the records of children who have one, so on
// about 29% of all records, and the same number on both sides unless
// doc_format, doc_typo or false_identity says otherwise.
//
// Dataset.Variations lists, for each true pair, the variations it carries,
// except those that are always there. In a default dataset of 2000
// children (seed 1), 92% of true pairs carry at least one listed
// variation, and 56% one that changes a name or a date (orthography,
// patronymic, translit, name_form, swap_fields, family_first, drop_middle,
// drop_surname, typo, date_swap, year_only, date_missing, false_identity).
// Per variation, share of all true pairs: script 38%, place_missing 34%,
// case 31%, translit 22%, place_variant 15%, patronymic 13%, diacritics
// 11%, typo 7.5%, drop_surname 6%, drop_middle 5%, sex_missing 5%,
// year_only 4.6%, swap_fields 4.3%, doc_format 3.3%, date_missing 3.3%,
// nickname_alias 2.6%, orthography 2.2%, family_first 2.1%,
// false_identity 1.9%, date_swap 1.5%, year_off 1.3%, doc_typo 1.2%,
// name_form 0.9%, cedilla 0.4%.
//
// # Confounders
//
// Config.Twins (default 3%) of the true children are twin pairs: same
// family name, parents, birth place and birth date, different given names,
// of different sex 40% of the time; 30% of twin pairs have given names
// with one initial (Anna and Alice, Emil and Elias), as parents of twins
// often choose, so that a linker that lets names agreeing in their
// initial alone count for one child meets them. Config.Siblings (12%) are in groups of
// two or (30%) three with the same family name, parents and birth place,
// different given names, born one to six years apart. Twins and siblings
// never share the given name each is called by (the first; for Vietnamese
// children the last), though they may share a middle name. Config.Namesakes
// (3%) are pairs with the same given and family names, other parents and
// another birth date, in the same year 30% of the time. All these children
// are in both files, and every cross pair (twin 1 in A with twin 2 in B,
// and the reverse) is listed in Dataset.Confounders. Namesakes that the
// name pools produce by chance are listed too, including children in one
// file only; the pools are small, so chance namesakes are far more common
// than in real data (in the 2000-child default dataset: 60 twin, 308
// sibling and 1051 namesake pairs). No two children share both full name
// and birth date.
//
// # What it does not model
//
// Errors here are independent; in real files they cluster (a careless
// clerk makes several). Typos use random letters, not keyboard or OCR
// confusions. A always has the full birth date and the birth place. B
// never writes non-Latin script or a patronymic, and never gets a child's
// sex wrong. Tigrinya names are in Latin only (Ge'ez script would be
// unmatchable by the normalizer, and is rare in records abroad); Han,
// Hangul and other scripts are absent. Dates are never known to the month
// only. Names that are translations (Peter for Pyotr) appear only as
// name_form, for the few names that have one in the pools.
//
// # A second noise model: GenerateRegister
//
// A linker tuned on one generator learns that generator. GenerateRegister
// makes files by another model, written apart from Generate and from the
// linker's rules: adults in a civil register, English given names drawn
// with Zipf frequencies (John and Mary very common), family names a third
// of the time from a Zipf list of common British names and otherwise
// built from two parts (a long tail of rare names), birth places and
// UK-style postcodes. Each record is copied with a clerk's errors, per
// record: the given name replaced by a short form or nickname (12%, from
// the generator's own list), by a title (5%), cut to its initial (3%),
// left out (5%) or misspelled (10%); the family name left out (7%) or
// misspelled (10%); the birth date left out (20%), written as 1 January of
// its year (10%) or as the year alone (5%), one day off (5%), on a random
// day of its month (7%), with day and month swapped (3%), or a year off
// (5%); sex left out (20%); the birth place left out (25%), replaced by
// another (10%) or misspelled (5%); the postcode left out (25%) or replaced
// by another of its district (30%). One person in twenty is a son named
// after his father and born in the same place 20 to 40 years later.
// People with the same names are the confounders (Dataset.Confounders,
// all KindNamesake); Variations is empty.
//
// RegisterConfig.Uneven adds a third noise model, after the published
// generator of Splink's historical-figures data (its corruption code, not
// its data): copies of uneven quality. Half the people have a middle
// name. Each copy draws a severity s, uniform in [0, 1), and after the
// clerk's errors above gets, at rates that grow with s: the middle name
// in place of the given name (20% s of those with one) or of the family
// name (10% s), as when a full name loses its first or last word; one
// digit of the birth date after the century replaced by a digit near it
// on a numeric keypad (10% + 50% s of full dates; a date that becomes
// invalid is left out); the sex swapped (1% + 9% s); the postcode
// replaced by one of another district, as after a move (40% s); and the
// birth date, postcode and sex (30% s each) and birth place (20% s) left
// out. Its rates are a reading of that generator's description, chosen
// before any linker ran on the result.
//
// # Determinism
//
// Generate draws everything from one math/rand/v2 PCG stream seeded by
// Config.Seed, and avoids floating-point arithmetic that a compiler may
// fuse differently per platform, so the same Config gives byte-identical
// files on every platform; a different seed gives different files.
// math/rand is used on purpose: this is test data, and nothing here is
// secret.
package synth
