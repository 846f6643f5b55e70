import type { MailLanguage, MailTemplateId } from './mail-templates.js';

/**
 * The shipped mail templates, in every shipped language: i18next resources
 * (namespace `mail`), `{{variable}}` placeholders only. The type makes every
 * language hold every template and phrase; `test/domain/mail-strings.test.ts`
 * checks that each one renders with exactly the variables of English.
 */
export interface MailStrings {
  templates: Record<MailTemplateId, { subject: string; text: string }>;
  /** Sentences the code puts into a variable (`unlock` of the lock notice). */
  phrases: { unlock_at: string; unlock_reset: string };
}

export const MAIL_STRINGS: Record<MailLanguage, MailStrings> = {
  en: {
    templates: {
      password_reset: {
        subject: 'Reset your Gatehouse password',
        text: 'Hello {{name}},\n\nSomeone asked to reset the password of your account.\n\nOpen this link within {{minutes}} minutes to choose a new password:\n{{link}}\n\nIf it was not you, ignore this mail: your password stays as it is.',
      },
      invitation: {
        subject: 'You are invited to Gatehouse',
        text: 'Hello {{name}},\n\nAn account has been made for you.\n\n{{message}}\n\nOpen this link within {{days}} days to choose your password:\n{{link}}\n\nIf you did not expect this invitation, ignore this mail.',
      },
      approval: {
        subject: 'Your Gatehouse account is approved',
        text: 'Hello {{name}},\n\nAn administrator has approved your account: you may sign in now.\n\n{{link}}',
      },
      lock_notice: {
        subject: 'Your Gatehouse account was locked',
        text: 'Hello {{name}},\n\nYour account was locked after {{attempts}} failed sign-in attempts. {{unlock}}\n\nTo unlock it now, reset your password here:\n{{link}}\n\nIf these attempts were not yours, someone may be trying to guess your password: choose a strong one, and tell your administrator.',
      },
      email_confirmation: {
        subject: 'Confirm your email address',
        text: 'Hello {{name}},\n\nPlease confirm your email address to finish creating your Gatehouse account. Open this link within {{hours}} hours:\n{{link}}\n\nIf you did not ask for an account, ignore this mail.',
      },
    },
    phrases: {
      unlock_at: 'It unlocks by itself on {{time}}.',
      unlock_reset: 'It stays locked until you reset your password.',
    },
  },
  de: {
    templates: {
      password_reset: {
        subject: 'Ihr Gatehouse-Passwort zurücksetzen',
        text: 'Hallo {{name}},\n\njemand hat angefordert, das Passwort Ihres Kontos zurückzusetzen.\n\nÖffnen Sie diesen Link innerhalb von {{minutes}} Minuten, um ein neues Passwort zu wählen:\n{{link}}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
      },
      invitation: {
        subject: 'Ihre Einladung zu Gatehouse',
        text: 'Hallo {{name}},\n\nfür Sie wurde ein Konto angelegt.\n\n{{message}}\n\nÖffnen Sie diesen Link innerhalb von {{days}} Tagen, um Ihr Passwort zu wählen:\n{{link}}\n\nWenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.',
      },
      approval: {
        subject: 'Ihr Gatehouse-Konto wurde freigegeben',
        text: 'Hallo {{name}},\n\nIhr Konto wurde von der Administration freigegeben: Sie können sich jetzt anmelden.\n\n{{link}}',
      },
      lock_notice: {
        subject: 'Ihr Gatehouse-Konto wurde gesperrt',
        text: 'Hallo {{name}},\n\nIhr Konto wurde nach {{attempts}} fehlgeschlagenen Anmeldeversuchen gesperrt. {{unlock}}\n\nUm es sofort zu entsperren, setzen Sie hier Ihr Passwort zurück:\n{{link}}\n\nWenn diese Versuche nicht von Ihnen stammen, versucht vielleicht jemand, Ihr Passwort zu erraten: Wählen Sie ein sicheres Passwort und informieren Sie Ihre Administration.',
      },
      email_confirmation: {
        subject: 'Bestätigen Sie Ihre E-Mail-Adresse',
        text: 'Hallo {{name}},\n\nbitte bestätigen Sie Ihre E-Mail-Adresse, um die Einrichtung Ihres Gatehouse-Kontos abzuschließen. Öffnen Sie diesen Link innerhalb von {{hours}} Stunden:\n{{link}}\n\nWenn Sie kein Konto angefordert haben, ignorieren Sie diese E-Mail.',
      },
    },
    phrases: {
      unlock_at: 'Die Sperre endet von selbst am {{time}}.',
      unlock_reset: 'Es bleibt gesperrt, bis Sie Ihr Passwort zurücksetzen.',
    },
  },
  fr: {
    templates: {
      password_reset: {
        subject: 'Réinitialisez votre mot de passe Gatehouse',
        text: "Bonjour {{name}},\n\nQuelqu'un a demandé la réinitialisation du mot de passe de votre compte.\n\nOuvrez ce lien dans les {{minutes}} minutes pour choisir un nouveau mot de passe :\n{{link}}\n\nSi ce n'était pas vous, ignorez ce message : votre mot de passe reste inchangé.",
      },
      invitation: {
        subject: 'Votre invitation à Gatehouse',
        text: "Bonjour {{name}},\n\nUn compte a été créé pour vous.\n\n{{message}}\n\nOuvrez ce lien dans les {{days}} jours pour choisir votre mot de passe :\n{{link}}\n\nSi vous n'attendiez pas cette invitation, ignorez ce message.",
      },
      approval: {
        subject: 'Votre compte Gatehouse a été approuvé',
        text: 'Bonjour {{name}},\n\nUn administrateur a approuvé votre compte : vous pouvez vous connecter dès maintenant.\n\n{{link}}',
      },
      lock_notice: {
        subject: 'Votre compte Gatehouse a été verrouillé',
        text: "Bonjour {{name}},\n\nVotre compte a été verrouillé après {{attempts}} tentatives de connexion échouées. {{unlock}}\n\nPour le déverrouiller tout de suite, réinitialisez votre mot de passe ici :\n{{link}}\n\nSi ces tentatives ne venaient pas de vous, quelqu'un essaie peut-être de deviner votre mot de passe : choisissez-en un robuste et prévenez votre administrateur.",
      },
      email_confirmation: {
        subject: 'Confirmez votre adresse e-mail',
        text: "Bonjour {{name}},\n\nConfirmez votre adresse e-mail pour terminer la création de votre compte Gatehouse. Ouvrez ce lien dans les {{hours}} heures :\n{{link}}\n\nSi vous n'avez pas demandé de compte, ignorez ce message.",
      },
    },
    phrases: {
      unlock_at: 'Il se déverrouillera de lui-même le {{time}}.',
      unlock_reset: "Il reste verrouillé jusqu'à ce que vous réinitialisiez votre mot de passe.",
    },
  },
  es: {
    templates: {
      password_reset: {
        subject: 'Restablezca su contraseña de Gatehouse',
        text: 'Hola, {{name}}:\n\nAlguien ha solicitado restablecer la contraseña de su cuenta.\n\nAbra este enlace en los próximos {{minutes}} minutos para elegir una contraseña nueva:\n{{link}}\n\nSi no fue usted, ignore este correo: su contraseña no cambia.',
      },
      invitation: {
        subject: 'Su invitación a Gatehouse',
        text: 'Hola, {{name}}:\n\nSe ha creado una cuenta para usted.\n\n{{message}}\n\nAbra este enlace en los próximos {{days}} días para elegir su contraseña:\n{{link}}\n\nSi no esperaba esta invitación, ignore este correo.',
      },
      approval: {
        subject: 'Su cuenta de Gatehouse ha sido aprobada',
        text: 'Hola, {{name}}:\n\nUn administrador ha aprobado su cuenta: ya puede iniciar sesión.\n\n{{link}}',
      },
      lock_notice: {
        subject: 'Su cuenta de Gatehouse ha sido bloqueada',
        text: 'Hola, {{name}}:\n\nSu cuenta se ha bloqueado tras {{attempts}} intentos fallidos de inicio de sesión. {{unlock}}\n\nPara desbloquearla ahora, restablezca su contraseña aquí:\n{{link}}\n\nSi estos intentos no fueron suyos, puede que alguien esté intentando adivinar su contraseña: elija una segura y avise a su administrador.',
      },
      email_confirmation: {
        subject: 'Confirme su dirección de correo electrónico',
        text: 'Hola, {{name}}:\n\nConfirme su dirección de correo electrónico para terminar de crear su cuenta de Gatehouse. Abra este enlace en las próximas {{hours}} horas:\n{{link}}\n\nSi no solicitó una cuenta, ignore este correo.',
      },
    },
    phrases: {
      unlock_at: 'Se desbloqueará sola el {{time}}.',
      unlock_reset: 'Seguirá bloqueada hasta que restablezca su contraseña.',
    },
  },
};
