/** Ukraine's regions as used for a child's home oblast (oblasts, the Autonomous Republic of Crimea and the two cities with special status). */
export const OBLASTS = [
  'Vinnytsia', 'Volyn', 'Dnipropetrovsk', 'Donetsk', 'Zhytomyr', 'Zakarpattia', 'Zaporizhzhia', 'Ivano-Frankivsk',
  'Kyiv Oblast', 'Kirovohrad', 'Luhansk', 'Lviv', 'Mykolaiv', 'Odesa', 'Poltava', 'Rivne', 'Sumy', 'Ternopil',
  'Kharkiv', 'Kherson', 'Khmelnytskyi', 'Cherkasy', 'Chernivtsi', 'Chernihiv', 'Crimea', 'Kyiv', 'Sevastopol',
] as const;
