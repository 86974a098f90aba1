package synth

// Name, place and street pools. Every pool is written by hand for this
// package; the people they make up do not exist.
//
// One entry per line, most common first (earlier entries are drawn more
// often, as real names are), in the form
//
//	[N*]native[/feminine]|spellings|forms|short forms
//
// where N multiplies the entry's weight; native is the name as the origin
// country writes it (its script, its diacritics); feminine is the female
// form of a family name where the language inflects it; spellings, when
// given, are the Latin spellings seen in foreign records, the first being
// the one in the child's own documents (otherwise the origin's
// romanization schemes compute them); forms are the same name in another
// language (Aleksandr and Alexander for Oleksandr), written in Latin; short
// forms are nicknames, written natively. Empty trailing fields may be left
// out.

// Ukrainian.

const ukMale = `Олександр||Aleksandr,Alexander|Саша,Сашко
Максим||Maxim|Макс
Артем||Artyom|Артемко
Дмитро||Dmitry,Dmitri|Діма
Андрій||Andrei,Andrew|Андрійко
Іван|||Івасик
Михайло||Mikhail,Michael|Михась
Денис||Denis
Богдан||Bogdan|Бодя
Владислав||Vladislav|Влад
Назар|||Назарко
Тарас|||Тарасик
Сергій||Sergei,Sergey|Сергійко
Микола||Nikolai,Nicholas|Коля
Олег||Oleg
Юрій||Yuri,Yury|Юрко
Євген||Evgeny,Eugene|Женя
Віктор||Victor|Вітя
Ярослав|||Ярик
Матвій||Matvei
Кирило||Kirill|Кирюша
Данило||Daniil,Daniel|Даня
Тимофій||Timofei|Тимко
Ілля||Ilya|Іллюша
Роман|||Ромко
Василь||Vasily|Василько
Петро||Pyotr,Peter|Петрик
Павло||Pavel,Paul|Павлик
Вадим||Vadim
Костянтин||Konstantin|Костя
Остап
Григорій||Grigory|Гриць
Ігор||Igor
Степан|||Стефко
Захар
Святослав||Sviatoslav|Свят`

const ukFemale = `Анастасія||Anastasia|Настя
Марія||Maria|Марійка
Софія||Sofia,Sophia|Соня
Анна|||Аня
Вікторія||Victoria|Віка
Дарина||Daria,Darya|Даринка
Поліна|||Поля
Олена||Elena,Yelena|Оленка
Юлія||Yulia,Julia|Юля
Катерина||Ekaterina,Katherine|Катя
Ольга||Olga|Оля
Наталія||Natalia,Natalya|Наталка
Ірина||Irina|Іринка
Тетяна||Tatiana,Tatyana|Таня
Оксана|||Ксеня
Вероніка||Veronica|Ніка
Христина||Kristina,Christina|Христя
Соломія|||Соля
Злата
Мілана
Єва||Eva
Олександра||Aleksandra,Alexandra|Саша
Валерія||Valeria|Лера
Аліна
Діана
Яна
Ксенія||Ksenia,Xenia|Ксюша
Ганна||Anna|Ганнуся
Надія||Nadezhda|Надя
Галина||Galina|Галя
Світлана||Svetlana|Світланка
Уляна||Ulyana|Уля
Олеся||Olesya|Леся
Ярослава|||Яся`

const ukFamily = `Мельник
Шевченко
Коваленко
Бондаренко
Бойко
Ткаченко
Кравченко
Ковальчук
Коваль
Олійник
Шевчук
Поліщук
Бондар
Ткачук
Марченко
Лисенко
Руденко
Савченко
Петренко
Мороз
Клименко
Павленко
Кравчук
Кузьменко
Пономаренко
Савчук
Василенко
Левченко
Харченко
Карпенко
Гаврилюк
Сидоренко
Єременко
Ґалаґан
Заїка
Гончаренко
Іваненко
Ковальський
Вишневський
Згурський`

// Russian.

const ruMale = `Александр||Alexander|Саша
Дмитрий|||Дима
Максим|||Макс
Сергей|||Серёжа
Андрей||Andrew|Андрюша
Алексей|||Лёша
Артём|||Тёма
Илья|||Илюша
Кирилл|||Кирюша
Михаил||Michael|Миша
Никита
Матвей|||Мотя
Роман|||Рома
Егор|||Егорка
Арсений|||Сеня
Иван|||Ваня
Денис
Евгений||Eugene|Женя
Даниил||Daniel|Даня
Тимофей|||Тима
Владислав|||Влад
Игорь
Владимир|||Вова
Павел||Paul|Паша
Руслан
Марк
Константин|||Костя
Тимур
Олег
Ярослав|||Ярик
Антон|||Антоша
Николай||Nicholas|Коля
Глеб
Фёдор||Theodor|Федя
Степан|||Стёпа
Пётр||Peter|Петя`

const ruFemale = `Анастасия|||Настя
Мария|||Маша
Анна|||Аня
Виктория|||Вика
Екатерина||Catherine,Katharina|Катя
Наталья|||Наташа
Марина
Полина|||Поля
Дарья|||Даша
Алина
Ксения|||Ксюша
Елизавета||Elisabeth|Лиза
Софья||Sophia,Sofia|Соня
Юлия||Julia|Юля
Ольга|||Оля
Татьяна|||Таня
Елена||Helen,Helena|Лена
Ирина|||Ира
Вероника|||Ника
Александра||Alexandra|Саша
Валерия|||Лера
Арина
Василиса|||Вася
Варвара|||Варя
Ульяна|||Уля
Кристина
Алиса
Милана
Ева
Ангелина|||Геля
Светлана|||Света
Людмила|||Люда`

const ruFamily = `Иванов
Смирнов
Кузнецов
Попов
Васильев
Петров
Соколов
Михайлов
Новиков
Фёдоров
Морозов
Волков
Алексеев
Лебедев
Семёнов
Егоров
Павлов
Козлов
Степанов
Николаев
Орлов
Андреев
Макаров
Никитин
Захаров
Зайцев
Соловьёв
Борисов
Яковлев
Григорьев
Романов
Воробьёв
Сергеев
Кузьмин
Фролов
Ковалевский
Белый`

// Greek. Official given names are the formal ones (Γεώργιος); children are
// called by the everyday form (Γιώργος), which foreign records often carry.

const grMale = `Γεώργιος||Giorgos,George|Γιώργος
Δημήτριος||Dimitris,Demetrios|Δημήτρης
Ιωάννης||Giannis,John|Γιάννης
Κωνσταντίνος||Kostas,Constantine|Κώστας
Νικόλαος||Nikos,Nicholas|Νίκος
Παναγιώτης||Panos|Πάνος
Χρήστος||Chris|Χρηστάκης
Αθανάσιος||Thanasis|Θανάσης
Μιχαήλ||Michalis,Michael|Μιχάλης
Ευάγγελος||Vangelis|Βαγγέλης
Βασίλειος||Vasilis,Basil|Βασίλης
Αλέξανδρος||Alexander|Αλέκος
Σπυρίδων||Spyros|Σπύρος
Αντώνιος||Antonis,Anthony|Αντώνης
Ανδρέας||Andrew
Εμμανουήλ||Manolis,Emmanuel|Μανώλης
Ηλίας
Πέτρος||Peter
Σταύρος
Στέφανος||Stephen
Θεόδωρος||Theodore|Θοδωρής
Άγγελος
Απόστολος|||Τόλης
Στυλιανός||Stelios|Στέλιος
Αριστοτέλης|||Άρης
Λεωνίδας
Φίλιππος||Philip
Οδυσσέας
Μάριος
Ραφαήλ
Παύλος||Paul
Ευστάθιος||Stathis|Στάθης`

const grFemale = `Μαρία
Ελένη||Helen|Λένα
Αικατερίνη||Katerina,Catherine|Κατερίνα
Βασιλική||Vicky|Βάσω
Σοφία
Αγγελική|||Κική
Γεωργία|||Γιωργία
Δήμητρα
Κωνσταντίνα||Dina|Ντίνα
Παρασκευή||Evi|Βιβή
Χριστίνα
Αναστασία||Natasa|Τασούλα
Ευαγγελία||Litsa|Λίτσα
Ιωάννα|||Γιάννα
Ειρήνη||Irene|Ρένα
Άννα
Δέσποινα|||Νένα
Χρυσούλα|||Χρύσα
Αλεξάνδρα|||Αλέκα
Σταυρούλα|||Βούλα
Θεοδώρα|||Δώρα
Φωτεινή|||Φαίη
Ζωή
Ευτυχία|||Έφη
Μαργαρίτα|||Ρίτα
Αθηνά
Νικολέτα
Δανάη
Ελπίδα
Κυριακή|||Κούλα
Πηνελόπη|||Πόπη
Ιφιγένεια|||Ίφη
Αφροδίτη`

const grFamily = `Παπαδόπουλος/Παπαδοπούλου
Παπαδάκης/Παπαδάκη
Παπανικολάου
Γεωργίου
Οικονόμου
Βασιλείου
Ιωάννου
Νικολάου
Δημητρίου
Κωνσταντίνου
Παπαγεωργίου
Μακρής/Μακρή
Αντωνίου
Χριστοδούλου
Αθανασίου
Παππάς/Παππά
Γεωργιάδης/Γεωργιάδου
Αλεξίου
Καραγιάννης/Καραγιάννη
Μαυρίδης/Μαυρίδου
Ζαχαρίου
Κωστόπουλος/Κωστοπούλου
Πετρόπουλος/Πετροπούλου
Νικολαΐδης/Νικολαΐδου
Αλεξόπουλος/Αλεξοπούλου
Κυριακίδης/Κυριακίδου
Σταματόπουλος/Σταματοπούλου
Δημόπουλος/Δημοπούλου
Λαμπρόπουλος/Λαμπροπούλου
Τσακίρης/Τσακίρη
Μπακογιάννης/Μπακογιάννη
Ντόκος/Ντόκου
Αγγελόπουλος/Αγγελοπούλου
Χατζηδάκης/Χατζηδάκη
Ευαγγέλου`

// Arab (Syria, Iraq). Arabic script has no short vowels, so every Latin
// spelling is a guess at the sound; the first is the usual English one.
// Family names with the article (ال) are written al-X, Al X, Alx, El-X, X
// and, before sun letters, ash-X; the generator adds the article.

const arMale = `3*محمد|Muhammad,Mohammed,Mohamed,Mohamad,Mohammad,Muhammed
2*أحمد|Ahmad,Ahmed,Ahmet
علي|Ali,Aly
عمر|Omar,Umar,Omer
يوسف|Yusuf,Youssef,Yousef,Yousif,Jussuf
خالد|Khalid,Khaled,Chaled
حسن|Hassan,Hasan,Hassen
حسين|Hussein,Hussain,Husain,Houssein
إبراهيم|Ibrahim,Ebrahim,Brahim
عبد الله|Abdullah,Abdallah,Abd Allah,Abdulla
محمود|Mahmoud,Mahmud,Mahmood
مصطفى|Mustafa,Moustafa,Mostafa,Mustapha
عبد الرحمن|Abdulrahman,Abdelrahman,Abdul Rahman,Abdurrahman,Abderrahmane
حمزة|Hamza,Hamzah
بلال|Bilal,Belal
كريم|Karim,Kareem
طارق|Tariq,Tarek,Tareq
سمير|Samir,Sameer
وليد|Walid,Waleed
زياد|Ziad,Ziyad,Zyad
رامي|Rami,Ramy
فادي|Fadi,Fady
مجد|Majd
يزن|Yazan,Yazen
آدم|Adam,Aadam
أمير|Amir,Ameer
أنس|Anas,Anes
أسامة|Osama,Usama,Oussama
قاسم|Qasim,Kassem,Qassem,Kasim
سليم|Salim,Selim,Saleem
جمال|Jamal,Gamal,Djamal
نبيل|Nabil,Nabeel
سعيد|Saeed,Said,Saied
هادي|Hadi,Hady
ليث|Laith,Layth,Leith
زيد|Zaid,Zeid,Zayd
عمار|Ammar,Amar
ياسر|Yasser,Yasir,Jasser`

const arFemale = `2*فاطمة|Fatima,Fatimah,Fatma,Fatme
عائشة|Aisha,Aysha,Aicha,Ayesha,Aischa
مريم|Maryam,Mariam,Meryem
زينب|Zainab,Zeinab,Zaynab
نور|Nour,Noor,Nur
ليلى|Layla,Leila,Laila,Leyla
هدى|Huda,Houda,Hoda
آمنة|Amina,Aminah,Amna
خديجة|Khadija,Khadijah,Hadija,Khadidja
رانيا|Rania,Ranya
سارة|Sara,Sarah
ياسمين|Yasmin,Yasmine,Jasmin
سلمى|Salma,Selma
هلا|Hala
رنا|Rana
دانا|Dana
لينا|Lina,Leena
ريم|Reem,Rim
ملك|Malak
جنى|Jana,Janna
هبة|Hiba,Heba
آية|Aya,Ayah
رهف|Rahaf
شهد|Shahd,Shahad
أسماء|Asmaa,Asma
حنان|Hanan
إيمان|Iman,Eman
لبنى|Lubna,Loubna
رغد|Raghad
بيان|Bayan
سدرة|Sidra,Sedra
تسنيم|Tasnim,Tasneem
ديما|Dima`

const arFamily = `الحسن|Hassan,Hasan
الأحمد|Ahmad,Ahmed
العلي|Ali
المحمد|Mohammad,Mohamed,Muhammad
الخطيب|Khatib,Khateeb
المصري|Masri,Masry
الحلبي|Halabi
الشامي|Shami,Chami
الحموي|Hamwi,Hamawi
النجار|Najjar,Najar
الحداد|Haddad
الصالح|Saleh,Salih
العمر|Omar
الحسين|Hussein,Hussain
العبدالله|Abdullah,Abdallah
الرشيد|Rashid,Rasheed
الجبوري|Jubouri,Jabouri,Joubouri
العبيدي|Obaidi,Obeidi,Ubaydi
التميمي|Tamimi
الدليمي|Dulaimi,Dulaymi,Dleimi
الزبيدي|Zubaidi,Zubaydi,Zobaidi
الكردي|Kurdi,Kurdy
الحريري|Hariri
الزعبي|Zoubi,Zuabi,Zoabi
خوري|Khoury,Khouri,Khury
درويش|Darwish,Darwich,Derwisch
قاسم|Qassem,Kassem,Qasim
منصور|Mansour,Mansur
صباغ|Sabbagh,Sabbag
ناصر|Nasser,Nasir,Naser
حمدان|Hamdan
بركات|Barakat
سليمان|Suleiman,Sulaiman,Soliman,Sleiman
عثمان|Othman,Osman,Uthman
ياسين|Yassin,Yasin,Yassine
عزيز|Aziz`

// Somali. Native is the official Somali orthography (c for ʿayn, x for
// ḥa, doubled long vowels), which Somali records use alongside English
// spellings. A Somali's "family name" is the father's and grandfather's
// given names, so these pools serve both.

const soMale = `3*Maxamed|Mohamed,Mohammed,Mahamed
2*Axmed|Ahmed,Ahmad
2*Cabdi|Abdi
Cabdullaahi|Abdullahi,Abdulahi
2*Cali|Ali
Xasan|Hassan,Hasan
Xuseen|Hussein,Hussen
Cumar|Omar,Umar
Yuusuf|Yusuf,Yussuf,Yousuf
Ibraahim|Ibrahim
Ismaaciil|Ismail,Ismael
Mahad|Mahad
Cabdiraxmaan|Abdirahman,Abdurahman,Abdirahmaan
Cabdirisaaq|Abdirizak,Abdirisak,Abdirisaq
Cabdicasiis|Abdiaziz,Abdulaziz
Mustafe|Mustafe,Mustafa
Siciid|Said,Saeed
Faarax|Farah,Faarah
Liibaan|Liban,Libaan
Guuleed|Guled,Guuleed
Xamse|Hamse,Hamza
Bashiir|Bashir
Nuur|Nur,Noor
Jaamac|Jama,Jaama
Warsame|Warsame,Warsama
Cismaan|Osman,Usman
Daahir|Dahir,Daher
Aadan|Aden,Adan
Xirsi|Hersi,Hirsi
Khaalid|Khalid,Khaled
Mukhtaar|Mukhtar
Sharmaarke|Sharmarke
Maxamuud|Mohamud,Mahmoud,Mohamoud
Cabdiqaadir|Abdikadir,Abdiqadir,Abdulkadir`

const soFemale = `2*Faadumo|Fadumo,Fatuma,Fadhumo
Hodan|Hodan
Hibo|Hibo
Ayaan|Ayan,Ayaan
Aamina|Amina
Caasha|Asha,Aisha
Xaliimo|Halima,Halimo
Khadiijo|Khadija,Khadijo
Sahro|Sahra,Sara
Ikraan|Ikran
Ifraax|Ifrah,Ifra
Nimco|Nimco,Nimo
Ubax|Ubah,Ubax
Ladan|Ladan
Sagal|Sagal
Xawo|Hawa,Hawo
Maryan|Maryan,Mariam
Deeqa|Deeqa,Deka
Nasra|Nasra
Aniisa|Anisa
Idil|Idil
Farxiya|Farhiya
Xamdi|Hamdi
Sucaad|Suad,Suaad
Shukri|Shukri
Samsam|Zamzam,Samsam
Ilhaan|Ilhan
Muna|Muna
Ruqiyo|Ruqia,Ruqiya,Rukia
Najmo|Najma,Najmo
Fartuun|Fartun`

// Eritrean (Tigrinya). Records abroad are in Latin, not Ge'ez; the
// spellings differ by clerk. Family name: father's and grandfather's given
// names.

const erMale = `Yonas|Yonas,Jonas
Daniel|Daniel,Danel
Samuel|Samuel,Samiel
Robel|Robel,Robiel
Filmon|Filmon,Filimon,Philimon
Biniam|Biniam,Biniyam,Bnyam
Yohannes|Yohannes,Yohanes,Johannes
Tesfay|Tesfay,Tesfai,Tesfaye
Kidane|Kidane,Kidan
Mehari|Mehari,Mihari
Merhawi|Merhawi,Mrhawi
Semere|Semere,Semre
Habtom|Habtom,Habtu
Tekle|Tekle,Tecle
Ghebremedhin|Ghebremedhin,Gebremedhin,Ghebremedin
Berhane|Berhane,Birhane
Amanuel|Amanuel,Emanuel
Henok|Henok,Enok
Mussie|Mussie,Musie
Aron|Aron,Aaron
Natnael|Natnael,Nathanael
Yemane|Yemane,Yemani
Abraham|Abraham,Abrham
Michael|Michael,Mikael
Efrem|Efrem,Ephrem
Ermias|Ermias,Ermiyas
Dawit|Dawit
Mebrahtu|Mebrahtu,Mebrahtom
Haile|Haile,Hayle
Tewelde|Tewelde,Tuelde
Goitom|Goitom,Goytom
Kibrom|Kibrom,Kbrom
Tsegay|Tsegay,Tsegai,Tsegaye`

const erFemale = `Helen|Helen,Hellen
Senait|Senait,Senayt
Saba|Saba
Yordanos|Yordanos,Jordanos
Rahel|Rahel,Rachel
Selam|Selam,Salam
Hanna|Hanna,Hana
Feven|Feven,Fiven
Lidia|Lidia,Lydia
Mebrat|Mebrat,Mbrat
Tsega|Tsega,Tsiga
Winta|Winta
Luwam|Luwam,Luam
Hiwet|Hiwet,Hiwot
Semhar|Semhar
Ruta|Ruta
Eden|Eden
Tirhas|Tirhas,Trhas
Meron|Meron
Aster|Aster,Astier
Freweini|Freweini,Frewini
Almaz|Almaz
Abeba|Abeba
Mizan|Mizan
Elsa|Elsa
Bisrat|Bisrat,Bsrat
Danait|Danait,Danayt
Yohana|Yohana,Johanna
Nebiat|Nebiat,Nebyat
Tsehaye|Tsehaye,Tsehay
Milen|Milen
Selamawit|Selamawit,Selamawet`

// Romanian.

const roMale = `Andrei
Alexandru|||Alex
Ștefan|||Fănel
Mihai|||Mihăiță
Ionuț
Gabriel|||Gabi
David
Darius
Luca
Matei
Cristian|||Cristi
Florin
Adrian
Vlad
Răzvan
Bogdan
Marius
Sebastian
Denis
Robert
Eduard
Cosmin
Ciprian
Ovidiu
Teodor
Tudor
Rareș
Sorin
Liviu
Nicolae|||Nicu
Iulian
Dragoș
Ion|||Ionel
Gheorghe|||Gică`

const roFemale = `Maria
Elena
Ioana
Andreea
Alexandra
Ana
Gabriela|||Gabi
Mihaela
Cristina
Daria
Bianca
Sofia
Antonia
Eva
Irina
Larisa
Denisa
Alina
Roxana
Diana
Raluca
Iulia
Teodora
Ilinca
Carmen
Simona
Ramona
Corina
Oana
Nicoleta
Florentina
Georgiana
Ștefania
Lăcrămioara`

const roFamily = `Popescu
Ionescu
Popa
Pop
Radu
Dumitru
Stoica
Stan
Gheorghe
Rusu
Munteanu
Matei
Constantin
Șerban
Moldovan
Lungu
Ciobanu
Barbu
Dinu
Marin
Tudor
Mocanu
Florea
Nistor
Vasile
Ene
Toma
Niculescu
Zamfir
Lazăr
Dobre
Căldăraru
Diaconu
Oprea
Țurcanu
Stănescu`

// Vietnamese: written family name first, then a middle name (Văn and Thị
// are the traditional male and female ones), then the given name. Nguyễn
// alone is the family name of some two Vietnamese in five.

const vnFamily = `10*Nguyễn
3*Trần
3*Lê
2*Phạm
Hoàng
Huỳnh
Phan
Vũ
Võ
Đặng
Bùi
Đỗ
Hồ
Ngô
Dương
Lý
Đinh
Đào
Trương
Lương
Mai
Trịnh
Đoàn
Lâm
Phùng
Tô
Cao
Hà
Tạ
Quách`

const vnMiddleMale = `4*Văn
Đức
Minh
Hữu
Quốc
Công
Thành
Gia
Hoàng`

const vnMiddleFemale = `4*Thị
Ngọc
Thu
Thanh
Kim
Bảo
Phương
Khánh`

const vnMale = `Anh
An
Bảo
Bình
Cường
Dũng
Duy
Đạt
Hải
Hiếu
Hoàng
Hùng
Huy
Khang
Khánh
Khoa
Long
Minh
Nam
Nghĩa
Phong
Phúc
Quân
Quang
Sơn
Tài
Thắng
Thành
Tiến
Trung
Tuấn
Tùng
Việt
Vinh`

const vnFemale = `Anh
Chi
Dung
Giang
Hà
Hằng
Hạnh
Hoa
Hương
Huyền
Lan
Linh
Loan
Mai
My
Nga
Ngân
Ngọc
Nhung
Nhi
Oanh
Phương
Quỳnh
Thảo
Thủy
Trang
Trâm
Tuyết
Uyên
Vân
Vy
Yến`

// Spanish: two family names, the father's first and the mother's first.

const esMale = `Alejandro|||Álex
Daniel|||Dani
Pablo
Hugo
Álvaro
Adrián
David
Diego
Javier|||Javi
Mario
Sergio
Marcos
Manuel|||Manolo
Martín
Nicolás|||Nico
Jorge
Iván
Carlos
Miguel
Lucas
Antonio|||Toño
Gonzalo
Raúl
Rubén
Izan
Mateo
Leo
Bruno
Enzo
Francisco|||Paco
José|||Pepe
Juan
Ignacio|||Nacho
Jesús|||Chuy`

const esFemale = `Lucía
María
Paula
Sofía
Martina
Daniela
Julia
Valeria
Alba
Sara
Carla
Claudia
Emma
Noa
Irene
Carmen|||Menchu
Laura
Marta
Elena
Andrea
Ana
Natalia
Ainhoa
Nerea
Alejandra
Aitana
Vega
Olivia
Dolores|||Lola
Guadalupe|||Lupe
Concepción|||Concha
Rocío
Pilar|||Pili`

const esFamily = `García
Rodríguez
González
Fernández
López
Martínez
Sánchez
Pérez
Gómez
Martín
Jiménez
Ruiz
Hernández
Díaz
Moreno
Muñoz
Álvarez
Romero
Alonso
Gutiérrez
Navarro
Torres
Domínguez
Vázquez
Ramos
Gil
Ramírez
Serrano
Blanco
Molina
Núñez
Iglesias
Castro
de la Fuente|de la Fuente,De la Fuente,De La Fuente,Delafuente
del Río|del Río,Del Río,Delrio
de la Cruz|de la Cruz,De la Cruz,Delacruz`

// German.

const deMale = `Ben
Paul
Leon
Finn
Elias
Jonas
Luis
Noah
Felix
Lukas
Maximilian|||Max
Henry
Emil
Anton
Theo
Jakob
Moritz
Niklas
Tim
Jan
Julian
David
Samuel
Alexander|||Alex
Leo
Matteo
Oskar
Karl
Fabian
Jonathan
Tom
Philipp
Johannes|||Hannes
Jörg
Jürgen`

const deFemale = `Emma
Mia
Hannah
Sofia
Emilia
Lina
Marie
Lea
Anna
Mila
Clara
Leonie
Lena
Ella
Luisa
Frieda
Ida
Johanna
Sophie
Laura
Lara
Amelie
Charlotte
Greta
Paula
Nele
Pia
Jana
Katharina|||Kathi
Julia
Maja
Marlene
Elisabeth|||Lisa
Jülide`

const deFamily = `Müller
Schmidt
Schneider
Fischer
Weber
Meyer
Wagner
Becker
Schulz
Hoffmann
Schäfer
Koch
Bauer
Richter
Klein
Wolf
Schröder
Neumann
Schwarz
Zimmermann
Braun
Krüger
Hofmann
Hartmann
Lange
Schmitt
Werner
Schmitz
Krause
Meier
Lehmann
Köhler
Weiß
Jäger
Günther
Böhm`

// French.

const frMale = `Gabriel
Léo
Raphaël
Louis
Arthur
Jules
Adam
Maël
Lucas
Hugo
Noah
Liam
Sacha
Nathan
Ethan
Paul
Théo
Tom
Aaron
Gabin
Nolan
Timéo
Mathis
Enzo
Baptiste
Clément
Antoine
Maxime
Alexandre|||Alex
Victor
Martin
Axel
Nicolas|||Nico
Jean-Baptiste
Benoît
François`

const frFemale = `Jade
Louise
Emma
Alice
Ambre
Lina
Rose
Chloé
Mia
Léa
Anna
Inès
Julia
Léna
Juliette
Zoé
Manon
Agathe
Lou
Camille
Sarah
Eva
Romane
Margaux
Clémence
Mathilde
Lucie
Charlotte
Capucine
Héloïse
Océane
Anaïs
Marie-Lou
Anne-Sophie
Gaëlle`

const frFamily = `Martin
Bernard
Thomas
Petit
Robert
Richard
Durand
Dubois
Moreau
Laurent
Simon
Michel
Lefebvre
Leroy
Roux
David
Bertrand
Morel
Fournier
Girard
Bonnet
Dupont
Lambert
Fontaine
Rousseau
Vincent
Lefèvre
Faure
André
Mercier
Blanc
Guérin
Boyer
Garnier
Chevalier
Le Gall|Le Gall,Legall
Le Goff|Le Goff,Legoff
Da Silva|Da Silva,da Silva,Dasilva`

// Dutch.

const nlMale = `Noah
Sem
Liam
Lucas
Daan
Finn
Levi
Luuk
Mees
James
Milan
Bram
Jesse
Thijs
Sven
Ruben
Lars
Thomas
Gijs
Stijn
Teun
Tim
Jayden
Julian
Max
Hugo
Siem
Jens
Niels
Pieter|||Piet
Joep
Willem|||Wim
Johannes|||Hans`

const nlFemale = `Emma
Julia
Mila
Tess
Sophie
Zoë
Sara
Nora
Yara
Eva
Liv
Lotte
Evi
Saar
Anna
Fenna
Noor
Lieke
Sanne
Fleur
Isa
Roos
Femke
Iris
Lisa
Maud
Jasmijn
Floor
Elin
Esmée
Nina
Lynn
Johanna|||Jo`

const nlFamily = `de Jong|de Jong,De Jong,Dejong
Jansen
de Vries|de Vries,De Vries,Devries
van den Berg|van den Berg,Van den Berg,Van Den Berg,Vandenberg
van Dijk|van Dijk,Van Dijk,Van Dyk,Vandijk
Bakker
Janssen
Visser
Smit
Meijer|Meijer,Meyer,Meier
de Boer|de Boer,De Boer,Deboer
Mulder
de Groot|de Groot,De Groot,Degroot
Bos
Vos
Peters
Hendriks
van Leeuwen|van Leeuwen,Van Leeuwen,Vanleeuwen
Dekker
Brouwer
de Wit|de Wit,De Wit
Dijkstra|Dijkstra,Dykstra
Smits
de Graaf|de Graaf,De Graaf
van der Meer|van der Meer,Van der Meer,Van Der Meer,Vandermeer
van der Linden|van der Linden,Van der Linden,Vanderlinden
Kok
Jacobs
de Haan|de Haan,De Haan
Vermeulen
van den Heuvel|van den Heuvel,Van den Heuvel
van der Veen|van der Veen,Van der Veen
Koster
van Beek|van Beek,Van Beek,Vanbeek`

// Birth places: native|Latin spellings, the first being the usual one in
// English-language records, the others the ones seen elsewhere (older
// Russian-based names, German and French exonyms, official transliterations).

const uaPlaces = `3*Київ|Kyiv,Kiev,Kiew,Kijów
2*Харків|Kharkiv,Kharkov,Charkiw
2*Одеса|Odesa,Odessa
Дніпро|Dnipro,Dnepr,Dnipropetrovsk
Львів|Lviv,Lvov,Lemberg,Lwów
Запоріжжя|Zaporizhzhia,Zaporozhye,Saporischschja
Маріуполь|Mariupol
Херсон|Kherson,Cherson
Миколаїв|Mykolaiv,Nikolaev,Mykolayiv
Чернігів|Chernihiv,Chernigov
Суми|Sumy
Полтава|Poltava
Донецьк|Donetsk,Donezk
Луганськ|Luhansk,Lugansk
Бахмут|Bakhmut,Artemivsk
Ізюм|Izium,Izyum
Житомир|Zhytomyr,Zhitomir,Schytomyr`

const ruPlaces = `3*Москва|Moscow,Moskva,Moskau,Moscou
2*Санкт-Петербург|Saint Petersburg,Sankt-Peterburg,St. Petersburg,Sankt Petersburg
Новосибирск|Novosibirsk,Nowosibirsk
Екатеринбург|Yekaterinburg,Ekaterinburg,Jekaterinburg
Казань|Kazan,Kasan
Нижний Новгород|Nizhny Novgorod,Nizhniy Novgorod,Nischni Nowgorod
Ростов-на-Дону|Rostov-on-Don,Rostov-na-Donu,Rostow am Don
Краснодар|Krasnodar
Самара|Samara
Воронеж|Voronezh,Woronesch
Волгоград|Volgograd,Wolgograd
Пермь|Perm
Омск|Omsk
Уфа|Ufa`

const grPlaces = `3*Αθήνα|Athens,Athina,Athen
2*Θεσσαλονίκη|Thessaloniki,Salonica,Saloniki
Πάτρα|Patras,Patra
Ηράκλειο|Heraklion,Iraklio,Irakleio
Λάρισα|Larissa,Larisa
Βόλος|Volos
Ιωάννινα|Ioannina,Yannina
Καβάλα|Kavala
Ρόδος|Rhodes,Rodos
Χανιά|Chania,Hania,Khania
Κομοτηνή|Komotini
Ξάνθη|Xanthi`

const syPlaces = `3*حلب|Aleppo,Halab,Alep
2*دمشق|Damascus,Dimashq,Damas,Damaskus
2*حمص|Homs,Hims
حماة|Hama,Hamah
إدلب|Idlib,Idleb
دير الزور|Deir ez-Zor,Deir al-Zour,Deir Ezzor
الرقة|Raqqa,Ar-Raqqah,Rakka
درعا|Daraa,Dar'a,Deraa
اللاذقية|Latakia,Lattakia,Al-Ladhiqiyah,Lattaquié
القامشلي|Qamishli,Al-Qamishli,Kamischli`

const iqPlaces = `3*بغداد|Baghdad,Bagdad
2*الموصل|Mosul,Al-Mawsil,Mossul
البصرة|Basra,Basrah,Al-Basrah
أربيل|Erbil,Arbil,Hawler
كركوك|Kirkuk,Kerkuk
الفلوجة|Fallujah,Falluja
سنجار|Sinjar,Shingal`

const soPlaces = `3*Muqdisho|Mogadishu,Muqdisho,Mogadiscio
2*Hargeysa|Hargeisa,Hargeysa
Kismaayo|Kismayo,Chisimaio
Baydhabo|Baidoa,Baydhabo
Boosaaso|Bosaso,Bossaso
Gaalkacyo|Galkayo,Galkacyo
Beledweyne|Beledweyne,Belet Weyne
Garoowe|Garowe
Marka|Merca,Marka
Jowhar|Jowhar,Johar`

const erPlaces = `3*Asmara|Asmara,Asmera
Keren|Keren,Cheren
Massawa|Massawa,Mitsiwa
Mendefera|Mendefera
Adi Keyh|Adi Keyh,Adi Keih
Dekemhare|Dekemhare,Decamere
Barentu|Barentu
Assab|Assab,Aseb
Adi Quala|Adi Quala,Adi Kwala
Tesseney|Tesseney,Teseney`

const roPlaces = `3*București|Bucuresti,Bucharest,Bukarest
Cluj-Napoca|Cluj-Napoca,Cluj,Klausenburg
Iași|Iasi,Jassy
Timișoara|Timisoara,Temeswar
Constanța|Constanta,Konstanza
Craiova|Craiova
Brașov|Brasov,Kronstadt
Galați|Galati
Bacău|Bacau
Ploiești|Ploiesti
Suceava|Suceava
Botoșani|Botosani`

const vnPlaces = `2*Hà Nội|Ha Noi,Hanoi
2*Thành phố Hồ Chí Minh|Ho Chi Minh City,Saigon,TP HCM
Hải Phòng|Hai Phong,Haiphong
Đà Nẵng|Da Nang,Danang
2*Nghệ An|Nghe An
2*Hà Tĩnh|Ha Tinh
Quảng Bình|Quang Binh
Thanh Hóa|Thanh Hoa
Cần Thơ|Can Tho
Huế|Hue
Nam Định|Nam Dinh
Hải Dương|Hai Duong`

const esPlaces = `3*Madrid|Madrid
2*Barcelona|Barcelona
Valencia|Valencia,València
Sevilla|Sevilla,Seville
Zaragoza|Zaragoza,Saragossa
Málaga|Malaga
Murcia|Murcia
Palma|Palma,Palma de Mallorca
Bilbao|Bilbao,Bilbo
Alicante|Alicante,Alacant
Córdoba|Cordoba,Cordova
Valladolid|Valladolid
A Coruña|A Coruna,La Coruna,Corunna
Granada|Granada`

const dePlaces = `3*Berlin|Berlin
2*Hamburg|Hamburg,Hambourg
München|Munchen,Munich,Muenchen
Köln|Koln,Cologne,Koeln
Frankfurt am Main|Frankfurt am Main,Frankfurt,Francfort
Stuttgart|Stuttgart
Düsseldorf|Dusseldorf,Duesseldorf
Leipzig|Leipzig
Dortmund|Dortmund
Essen|Essen
Bremen|Bremen,Brême
Dresden|Dresden,Dresde
Hannover|Hannover,Hanover
Nürnberg|Nurnberg,Nuremberg,Nuernberg`

const frPlaces = `3*Paris|Paris
2*Marseille|Marseille,Marseilles
Lyon|Lyon,Lyons
Toulouse|Toulouse
Nice|Nice,Nizza
Nantes|Nantes
Strasbourg|Strasbourg,Strassburg
Montpellier|Montpellier
Bordeaux|Bordeaux
Lille|Lille
Rennes|Rennes
Reims|Reims`

const nlPlaces = `3*Amsterdam|Amsterdam
2*Rotterdam|Rotterdam
Den Haag|Den Haag,The Hague,'s-Gravenhage
Utrecht|Utrecht
Eindhoven|Eindhoven
Groningen|Groningen
Tilburg|Tilburg
Almere|Almere
Breda|Breda
Nijmegen|Nijmegen,Nimwegen`

// Streets: native|Latin.

const uaStreets = `вул. Шевченка|vul. Shevchenka
вул. Франка|vul. Franka
просп. Миру|prosp. Myru
вул. Соборна|vul. Soborna
вул. Гагаріна|vul. Haharina
вул. Незалежності|vul. Nezalezhnosti`

const ruStreets = `ул. Ленина|ul. Lenina
ул. Советская|ul. Sovetskaia
ул. Мира|ul. Mira
ул. Гагарина|ul. Gagarina
пр-т Победы|pr-t Pobedy
ул. Садовая|ul. Sadovaia`

const grStreets = `Οδός Ερμού|Odos Ermou
Λεωφόρος Συγγρού|Leoforos Syngrou
Οδός Αγίου Δημητρίου|Odos Agiou Dimitriou
Οδός Εγνατίας|Odos Egnatias
Οδός Πατησίων|Odos Patision`

const arStreets = `شارع بغداد|Baghdad St.
شارع الثورة|Al-Thawra St.
حي الميدان|Al-Midan district
شارع النيل|Al-Nil St.
حي الشعار|Al-Shaar district`

const soStreets = `Degmada Hodan|Hodan District
Degmada Wadajir|Wadajir District
Degmada Howlwadaag|Hawl Wadag District
Wadada Maka Al-Mukarama|Maka Al-Mukarama Road`

const erStreets = `Harnet Avenue|Harnet Avenue
Sematat Avenue|Sematat Avenue
Denden Street|Denden Street
Ras Alula Street|Ras Alula Street`

const roStreets = `Strada Mihai Eminescu|Strada Mihai Eminescu
Bulevardul Unirii|Bulevardul Unirii
Strada Libertății|Strada Libertatii
Strada Florilor|Strada Florilor
Calea Victoriei|Calea Victoriei`

const vnStreets = `Đường Lê Lợi|Duong Le Loi
Đường Trần Hưng Đạo|Duong Tran Hung Dao
Đường Nguyễn Huệ|Duong Nguyen Hue
Phố Hàng Bạc|Pho Hang Bac
Đường Lý Thường Kiệt|Duong Ly Thuong Kiet`

const esStreets = `Calle Mayor|Calle Mayor
Calle de Alcalá|Calle de Alcala
Avenida de la Constitución|Avenida de la Constitucion
Calle Real|Calle Real
Plaza de España|Plaza de Espana`

const deStreets = `Hauptstraße|Hauptstrasse
Bahnhofstraße|Bahnhofstrasse
Gartenstraße|Gartenstrasse
Schulstraße|Schulstrasse
Lindenweg|Lindenweg`

const frStreets = `rue de la République|rue de la Republique
avenue Jean Jaurès|avenue Jean Jaures
rue Victor Hugo|rue Victor Hugo
boulevard Pasteur|boulevard Pasteur
place de la Mairie|place de la Mairie`

const nlStreets = `Kerkstraat|Kerkstraat
Dorpsstraat|Dorpsstraat
Schoolstraat|Schoolstraat
Molenweg|Molenweg
Stationsweg|Stationsweg`
