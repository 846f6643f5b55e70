import type { MailLanguage, MailTemplateId } from './mail-templates.js';

/**
 * The shipped mail templates, in every shipped language: i18next resources
 * (namespace `mail`), `{{variable}}` placeholders only. The type makes every
 * language hold every template and phrase; `test/domain/mail-strings.test.ts`
 * checks that each one renders with exactly the variables of English.
 */
export interface MailStrings {
  templates: Record<MailTemplateId, { subject: string; text: string }>;
  /** Pieces the code puts into a variable (the lock notice's `unlock`, an invitation's `message`, `lifetime`). */
  phrases: {
    unlock_at: string;
    unlock_reset: string;
    message_from: string;
    lifetime_minutes: string;
    lifetime_hours: string;
    /** The links of the branding settings, at the foot of every mail. */
    help: string;
    terms: string;
    privacy: string;
  };
}

export const MAIL_STRINGS: Record<MailLanguage, MailStrings> = {
  en: {
    templates: {
      password_reset: {
        subject: 'Reset your {{product}} password',
        text: 'Hello {{name}},\n\nSomeone asked to reset the password of your account.\n\nOpen this link within {{minutes}} minutes to choose a new password:\n{{link}}\n\nIf it was not you, ignore this mail: your password stays as it is.',
      },
      invitation: {
        subject: 'You are invited to {{product}}',
        text: 'Hello {{name}},\n\nAn account has been made for you.\n\n{{message}}\n\nOpen this link within {{days}} days to choose your password:\n{{link}}\n\nIf you did not expect this invitation, ignore this mail.',
      },
      approval: {
        subject: 'Your {{product}} account is approved',
        text: 'Hello {{name}},\n\nAn administrator has approved your account: you may sign in now.\n\n{{link}}\n\nIf you have not chosen a password yet, use "Forgot password?" on the sign-in page.',
      },
      lock_notice: {
        subject: 'Your {{product}} account was locked',
        text: 'Hello {{name}},\n\nYour account was locked after {{attempts}} failed sign-in attempts. {{unlock}}\n\nTo unlock it now, reset your password here:\n{{link}}\n\nIf these attempts were not yours, someone may be trying to guess your password: choose a strong one, and tell your administrator.',
      },
      email_confirmation: {
        subject: 'Confirm your email to create your {{product}} account',
        text: 'Hello {{name}},\n\nSomeone, we hope you, asked for a {{product}} account with this email address.\n\nOpen this link within {{lifetime}} to confirm it:\n{{link}}\n\nIf it was not you, ignore this mail: no account is created.',
      },
      account_exists: {
        subject: 'You already have a {{product}} account',
        text: 'Hello {{name}},\n\nSomeone, we hope you, asked to create a {{product}} account with this email address, but it already has one.\n\nForgot your password? Choose a new one here:\n{{link}}\n\nIf it was not you, ignore this mail: nothing has changed.',
      },
      email_change: {
        subject: 'Confirm your new Gatehouse email address',
        text: 'Hello {{name}},\n\nYou asked to use this address as the email of your Gatehouse account.\n\nOpen this link within {{lifetime}} to confirm it:\n{{link}}\n\nUntil then your old address stays. If it was not you, ignore this mail: nothing changes.',
      },
    },
    phrases: {
      unlock_at: 'It unlocks by itself on {{time}}.',
      unlock_reset: 'It stays locked until you reset your password.',
      message_from: '{{inviter}} wrote:',
      lifetime_minutes: '{{count}} minutes',
      lifetime_hours: '{{count}} hours',
      help: 'Help',
      terms: 'Terms of use',
      privacy: 'Privacy',
    },
  },
  de: {
    templates: {
      password_reset: {
        subject: 'Ihr Passwort für {{product}} zurücksetzen',
        text: 'Hallo {{name}},\n\njemand hat angefordert, das Passwort Ihres Kontos zurückzusetzen.\n\nÖffnen Sie diesen Link innerhalb von {{minutes}} Minuten, um ein neues Passwort zu wählen:\n{{link}}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
      },
      invitation: {
        subject: 'Ihre Einladung zu {{product}}',
        text: 'Hallo {{name}},\n\nfür Sie wurde ein Konto angelegt.\n\n{{message}}\n\nÖffnen Sie diesen Link innerhalb von {{days}} Tagen, um Ihr Passwort zu wählen:\n{{link}}\n\nWenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.',
      },
      approval: {
        subject: 'Ihr Konto bei {{product}} wurde freigegeben',
        text: 'Hallo {{name}},\n\nIhr Konto wurde von der Administration freigegeben: Sie können sich jetzt anmelden.\n\n{{link}}\n\nWenn Sie noch kein Passwort gewählt haben, nutzen Sie „Passwort vergessen?“ auf der Anmeldeseite.',
      },
      lock_notice: {
        subject: 'Ihr Konto bei {{product}} wurde gesperrt',
        text: 'Hallo {{name}},\n\nIhr Konto wurde nach {{attempts}} fehlgeschlagenen Anmeldeversuchen gesperrt. {{unlock}}\n\nUm es sofort zu entsperren, setzen Sie hier Ihr Passwort zurück:\n{{link}}\n\nWenn diese Versuche nicht von Ihnen stammen, versucht vielleicht jemand, Ihr Passwort zu erraten: Wählen Sie ein sicheres Passwort und informieren Sie Ihre Administration.',
      },
      email_confirmation: {
        subject: 'Bestätigen Sie Ihre E-Mail-Adresse für Ihr Konto bei {{product}}',
        text: 'Hallo {{name}},\n\njemand, hoffentlich Sie, hat mit dieser E-Mail-Adresse ein Konto bei {{product}} beantragt.\n\nÖffnen Sie diesen Link innerhalb von {{lifetime}}, um sie zu bestätigen:\n{{link}}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Es wird kein Konto angelegt.',
      },
      account_exists: {
        subject: 'Sie haben bereits ein Konto bei {{product}}',
        text: 'Hallo {{name}},\n\njemand, hoffentlich Sie, wollte mit dieser E-Mail-Adresse ein Konto bei {{product}} anlegen, aber es gibt bereits eines.\n\nPasswort vergessen? Wählen Sie hier ein neues:\n{{link}}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Es hat sich nichts geändert.',
      },
      email_change: {
        subject: 'Bestätigen Sie Ihre neue E-Mail-Adresse für Gatehouse',
        text: 'Hallo {{name}},\n\nSie möchten diese Adresse als E-Mail-Adresse Ihres Gatehouse-Kontos verwenden.\n\nÖffnen Sie diesen Link innerhalb von {{lifetime}}, um sie zu bestätigen:\n{{link}}\n\nBis dahin bleibt Ihre bisherige Adresse gültig. Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Es ändert sich nichts.',
      },
    },
    phrases: {
      unlock_at: 'Die Sperre endet von selbst am {{time}}.',
      unlock_reset: 'Es bleibt gesperrt, bis Sie Ihr Passwort zurücksetzen.',
      message_from: '{{inviter}} schreibt:',
      lifetime_minutes: '{{count}} Minuten',
      lifetime_hours: '{{count}} Stunden',
      help: 'Hilfe',
      terms: 'Nutzungsbedingungen',
      privacy: 'Datenschutz',
    },
  },
  fr: {
    templates: {
      password_reset: {
        subject: 'Réinitialisez votre mot de passe {{product}}',
        text: "Bonjour {{name}},\n\nQuelqu'un a demandé la réinitialisation du mot de passe de votre compte.\n\nOuvrez ce lien dans les {{minutes}} minutes pour choisir un nouveau mot de passe :\n{{link}}\n\nSi ce n'était pas vous, ignorez ce message : votre mot de passe reste inchangé.",
      },
      invitation: {
        subject: 'Votre invitation à {{product}}',
        text: "Bonjour {{name}},\n\nUn compte a été créé pour vous.\n\n{{message}}\n\nOuvrez ce lien dans les {{days}} jours pour choisir votre mot de passe :\n{{link}}\n\nSi vous n'attendiez pas cette invitation, ignorez ce message.",
      },
      approval: {
        subject: 'Votre compte {{product}} a été approuvé',
        text: "Bonjour {{name}},\n\nUn administrateur a approuvé votre compte : vous pouvez vous connecter dès maintenant.\n\n{{link}}\n\nSi vous n'avez pas encore choisi de mot de passe, utilisez « Mot de passe oublié ? » sur la page de connexion.",
      },
      lock_notice: {
        subject: 'Votre compte {{product}} a été verrouillé',
        text: "Bonjour {{name}},\n\nVotre compte a été verrouillé après {{attempts}} tentatives de connexion échouées. {{unlock}}\n\nPour le déverrouiller tout de suite, réinitialisez votre mot de passe ici :\n{{link}}\n\nSi ces tentatives ne venaient pas de vous, quelqu'un essaie peut-être de deviner votre mot de passe : choisissez-en un robuste et prévenez votre administrateur.",
      },
      email_confirmation: {
        subject: 'Confirmez votre adresse e-mail pour créer votre compte {{product}}',
        text: "Bonjour {{name}},\n\nQuelqu'un, vous nous l'espérons, a demandé un compte {{product}} avec cette adresse e-mail.\n\nOuvrez ce lien dans un délai de {{lifetime}} pour la confirmer :\n{{link}}\n\nSi ce n'était pas vous, ignorez ce message : aucun compte n'est créé.",
      },
      account_exists: {
        subject: 'Vous avez déjà un compte {{product}}',
        text: "Bonjour {{name}},\n\nQuelqu'un, vous nous l'espérons, a voulu créer un compte {{product}} avec cette adresse e-mail, mais elle en a déjà un.\n\nMot de passe oublié ? Choisissez-en un nouveau ici :\n{{link}}\n\nSi ce n'était pas vous, ignorez ce message : rien n'a changé.",
      },
      email_change: {
        subject: 'Confirmez votre nouvelle adresse e-mail Gatehouse',
        text: "Bonjour {{name}},\n\nVous avez demandé à utiliser cette adresse comme e-mail de votre compte Gatehouse.\n\nOuvrez ce lien dans les {{lifetime}} pour la confirmer :\n{{link}}\n\nD'ici là, votre ancienne adresse reste en place. Si ce n'était pas vous, ignorez cet e-mail : rien ne change.",
      },
    },
    phrases: {
      unlock_at: 'Il se déverrouillera de lui-même le {{time}}.',
      unlock_reset: "Il reste verrouillé jusqu'à ce que vous réinitialisiez votre mot de passe.",
      message_from: '{{inviter}} a écrit :',
      lifetime_minutes: '{{count}} minutes',
      lifetime_hours: '{{count}} heures',
      help: 'Aide',
      terms: 'Conditions d’utilisation',
      privacy: 'Confidentialité',
    },
  },
  es: {
    templates: {
      password_reset: {
        subject: 'Restablezca su contraseña de {{product}}',
        text: 'Hola, {{name}}:\n\nAlguien ha solicitado restablecer la contraseña de su cuenta.\n\nAbra este enlace en los próximos {{minutes}} minutos para elegir una contraseña nueva:\n{{link}}\n\nSi no fue usted, ignore este correo: su contraseña no cambia.',
      },
      invitation: {
        subject: 'Su invitación a {{product}}',
        text: 'Hola, {{name}}:\n\nSe ha creado una cuenta para usted.\n\n{{message}}\n\nAbra este enlace en los próximos {{days}} días para elegir su contraseña:\n{{link}}\n\nSi no esperaba esta invitación, ignore este correo.',
      },
      approval: {
        subject: 'Su cuenta de {{product}} ha sido aprobada',
        text: 'Hola, {{name}}:\n\nUn administrador ha aprobado su cuenta: ya puede iniciar sesión.\n\n{{link}}\n\nSi aún no ha elegido una contraseña, use «¿Ha olvidado su contraseña?» en la página de inicio de sesión.',
      },
      lock_notice: {
        subject: 'Su cuenta de {{product}} ha sido bloqueada',
        text: 'Hola, {{name}}:\n\nSu cuenta se ha bloqueado tras {{attempts}} intentos fallidos de inicio de sesión. {{unlock}}\n\nPara desbloquearla ahora, restablezca su contraseña aquí:\n{{link}}\n\nSi estos intentos no fueron suyos, puede que alguien esté intentando adivinar su contraseña: elija una segura y avise a su administrador.',
      },
      email_confirmation: {
        subject: 'Confirme su correo electrónico para crear su cuenta de {{product}}',
        text: 'Hola, {{name}}:\n\nAlguien, esperamos que usted, ha solicitado una cuenta de {{product}} con esta dirección de correo electrónico.\n\nAbra este enlace en un plazo de {{lifetime}} para confirmarla:\n{{link}}\n\nSi no fue usted, ignore este correo: no se crea ninguna cuenta.',
      },
      account_exists: {
        subject: 'Ya tiene una cuenta de {{product}}',
        text: 'Hola, {{name}}:\n\nAlguien, esperamos que usted, ha intentado crear una cuenta de {{product}} con esta dirección de correo electrónico, pero ya tiene una.\n\n¿Ha olvidado su contraseña? Elija una nueva aquí:\n{{link}}\n\nSi no fue usted, ignore este correo: nada ha cambiado.',
      },
      email_change: {
        subject: 'Confirme su nueva dirección de correo de Gatehouse',
        text: 'Hola {{name}}:\n\nHa pedido usar esta dirección como correo de su cuenta de Gatehouse.\n\nAbra este enlace antes de {{lifetime}} para confirmarla:\n{{link}}\n\nHasta entonces se mantiene su dirección anterior. Si no fue usted, ignore este correo: no cambia nada.',
      },
    },
    phrases: {
      unlock_at: 'Se desbloqueará sola el {{time}}.',
      unlock_reset: 'Seguirá bloqueada hasta que restablezca su contraseña.',
      message_from: '{{inviter}} escribió:',
      lifetime_minutes: '{{count}} minutos',
      lifetime_hours: '{{count}} horas',
      help: 'Ayuda',
      terms: 'Condiciones de uso',
      privacy: 'Privacidad',
    },
  },
};
